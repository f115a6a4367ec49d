package io.alexnetspark.data.image;

import io.alexnetspark.data.TestData;
import io.alexnetspark.data.pipeline.DecoderChoice;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * libjpeg-turbo through Debian's TurboJPEG binding, where installed (it is optional: the pipeline
 * falls back to ImageIO), against ImageIO on real photos.
 */
class TurboJpegDecoderTest {
    @Test
    void aMissingBindingIsAClearReasonAndImageIoRemains() {
        assertThatThrownBy(() -> TurboJpegDecoder.load(Path.of("/nonexistent/turbojpeg.jar")))
                .hasMessageContaining("libturbojpeg-java");
        assertThat(DecoderChoice.IMAGEIO.resolve()).isNotNull();
        if (TurboJpegDecoder.get().isEmpty()) {
            assertThatThrownBy(DecoderChoice.TURBOJPEG::resolve).hasMessageContaining("data.pipeline.decoder = turbojpeg");
            assertThat(DecoderChoice.AUTO.resolve()).isNotNull();
        }
    }

    @Test
    void decodesRealPhotosAsImageIoDoes() throws Exception {
        assumeTrue(TurboJpegDecoder.get().isPresent(), "libjpeg-turbo's binding is not installed: "
                + TurboJpegDecoder.unavailableReason());
        TurboJpegDecoder turbo = TurboJpegDecoder.get().orElseThrow();
        // A 4:2:0 photo (our own shards' kind), a 4:4:4 one, a progressive one and a grey one.
        for (String name : new String[]{"flower.png.im_q85_420.jpg", "flower.png.im_q85_444.jpg",
                "flower.png.im_q85_420_progr.jpg", "flower.png.im_q85_gray.jpg"}) {
            byte[] jpeg = Files.readAllBytes(TestData.flower(name));
            BufferedImage t = turbo.decode(jpeg);
            BufferedImage r = ImageDecoder.decode(jpeg).image();
            assertThat(t.getType()).isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
            assertThat(new int[]{t.getWidth(), t.getHeight()}).containsExactly(r.getWidth(), r.getHeight());
            byte[] a = ((DataBufferByte) t.getRaster().getDataBuffer()).getData();
            byte[] b = ((DataBufferByte) r.getRaster().getDataBuffer()).getData();
            long sum = 0;
            int max = 0;
            for (int i = 0; i < a.length; i++) {
                int d = Math.abs((a[i] & 0xff) - (b[i] & 0xff));
                sum += d;
                max = Math.max(max, d);
            }
            // Both are libjpeg's accurate integer IDCT and fancy upsampling: the same image up to rounding.
            assertThat((double) sum / a.length).as(name + " mean difference").isLessThan(0.5);
            assertThat(max).as(name + " largest difference").isLessThanOrEqualTo(16);
        }
    }

    @Test
    void aTruncatedJpegIsAnErrorNotGreyPixels() throws Exception {
        assumeTrue(TurboJpegDecoder.get().isPresent(), "libjpeg-turbo's binding is not installed");
        byte[] jpeg = TestData.jpeg(TestData.dogs().get(3), 0.9f);
        assertThatThrownBy(() -> TurboJpegDecoder.get().orElseThrow().decode(Arrays.copyOf(jpeg, jpeg.length / 2)))
                .isInstanceOf(IOException.class);
    }
}
