package io.alexnetspark.data.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The real Fashion-MNIST files, fetched from Debian's package (cached under ~/.cache/alexnet-spark). */
class FashionMnistTest {

    @Test
    void fetchesAndWritesABalancedTreeOfRealPhotos(@TempDir Path tmp) throws IOException {
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist");
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path idx = FashionMnist.fetch(cache, new PrintStream(log, true));
        assertThat(log.toString()).contains("fashion-mnist:");

        int n = FashionMnist.writeImageTree(idx, tmp, 4, 2);
        assertThat(n).isEqualTo(60);
        for (String c : FashionMnist.CLASSES) {
            try (var train = Files.list(tmp.resolve("train").resolve(c)); var val = Files.list(tmp.resolve("val").resolve(c))) {
                assertThat(train.count()).as(c).isEqualTo(4);
                assertThat(val.count()).as(c).isEqualTo(2);
            }
        }
        // Real photos: 28x28 grey, not blank.
        Path one;
        try (var s = Files.list(tmp.resolve("train").resolve("trouser"))) {
            one = s.findFirst().orElseThrow();
        }
        BufferedImage img = ImageIO.read(one.toFile());
        assertThat(img.getWidth()).isEqualTo(28);
        assertThat(img.getHeight()).isEqualTo(28);
        int min = 255;
        int max = 0;
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = img.getRaster().getSample(x, y, 0);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
        }
        assertThat(max - min).isGreaterThan(100);
    }

    @Test
    void aFileThatIsNotIdxIsAClearError(@TempDir Path tmp) throws IOException {
        for (String f : new String[] {FashionMnist.TRAIN_IMAGES, FashionMnist.TRAIN_LABELS, FashionMnist.TEST_IMAGES,
                FashionMnist.TEST_LABELS}) {
            try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(tmp.resolve(f)))) {
                out.write(new byte[] {0, 0, 0, 1, 0, 0, 0, 0});
            }
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> FashionMnist.writeImageTree(tmp, tmp.resolve("o"), 1, 1))
                .isInstanceOf(IOException.class).hasMessageContaining("not an IDX file");
    }
}
