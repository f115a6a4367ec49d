package io.alexnetspark.data.manifest;

import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.layout.ClassEntry;
import io.alexnetspark.data.shard.ShardInfo;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestTest {
    @TempDir
    java.nio.file.Path dir;

    static Manifest sample(String dataset) {
        SplitManifest train = new SplitManifest(9, 11,
                List.of(new ShardInfo("train/train-00000-of-00001.seq", 9, 1234, "ab".repeat(32))),
                Map.of("n01440764", 4L, "n01443537", 5L),
                Map.of("EMPTY_FILE", new ReasonCount(1, List.of("train/n01440764/empty.JPEG")),
                        "DECODE_WARNING", new ReasonCount(1, List.of("train/n01443537/cut.JPEG"))),
                Map.of("GREY_TO_RGB", new ReasonCount(1, List.of("train/n01440764/grey.JPEG"))));
        return new Manifest(Manifest.FORMAT_VERSION, dataset, "2026-01-01T00:00:00Z", "file:/in", "IMAGENET",
                PreprocessSettings.PAPER, 1000, 128L << 20, 42,
                List.of(new ClassEntry(0, "n01440764", "tench"), new ClassEntry(1, "n01443537", "goldfish")),
                Map.of("train", train));
    }

    @Test
    void roundTripsThroughJsonOnAHadoopFileSystem() throws IOException {
        Configuration conf = new Configuration();
        FileSystem fs = FileSystem.getLocal(conf);
        Path root = new Path(dir.toUri());
        Manifest m = sample("tiny");
        Path file = ManifestIO.write(fs, conf, root, m);
        assertThat(file.getName()).isEqualTo("manifest.json");

        Manifest back = ManifestIO.read(fs, root);
        assertThat(back).isEqualTo(m);
        assertThat(back.classIndex().byWnid("n01443537")).get().extracting(ClassEntry::label).isEqualTo(1);
        assertThat(back.splits().get("train").skippedTotal()).isEqualTo(2);

        String json = Files.readString(dir.resolve("manifest.json"));
        assertThat(json).contains("\"sha256\"", "\"classCounts\"", "\"skipped\"", "\"EMPTY_FILE\"", "\"shorterSide\" : 256",
                "\"goldfish\"");
    }

    @Test
    void rewritingReplacesTheDocumentAndLeavesNoTemporaryFiles() throws IOException {
        Configuration conf = new Configuration();
        FileSystem fs = FileSystem.getLocal(conf);
        Path root = new Path(dir.toUri());
        ManifestIO.write(fs, conf, root, sample("first"));
        ManifestIO.write(fs, conf, root, sample("second"));
        assertThat(ManifestIO.read(fs, root).dataset()).isEqualTo("second");
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactly("manifest.json");
        }
    }

    @Test
    void aFutureFormatIsRefused() throws IOException {
        Configuration conf = new Configuration();
        FileSystem fs = FileSystem.getLocal(conf);
        Manifest m = sample("x");
        Manifest future = new Manifest(99, m.dataset(), m.createdAt(), m.source(), m.layout(), m.preprocessing(),
                m.imagesPerShard(), m.shardBytes(), m.seed(), m.classes(), m.splits());
        ManifestIO.write(fs, conf, new Path(dir.toUri()), future);
        assertThatThrownBy(() -> ManifestIO.read(fs, new Path(dir.toUri()))).hasMessageContaining("format 99");
    }

    @Test
    void reasonCountsKeepAFewExamples() {
        ReasonCount c = ReasonCount.none();
        for (int i = 0; i < 12; i++) {
            c = c.plus("k" + i);
        }
        assertThat(c.count()).isEqualTo(12);
        assertThat(c.examples()).containsExactly("k0", "k1", "k2", "k3", "k4");
        assertThat(c.plus(new ReasonCount(3, List.of("z"))).count()).isEqualTo(15);
    }

    @Test
    void anUnknownSplitIsAClearError() {
        assertThatThrownBy(() -> sample("x").shards("test")).hasMessageContaining("no split 'test'").hasMessageContaining("train");
    }
}
