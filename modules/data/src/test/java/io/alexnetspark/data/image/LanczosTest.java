package io.alexnetspark.data.image;

import io.alexnetspark.data.TestData;
import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.nio.file.Files;
import java.util.EnumSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Lanczos-3 resampler on real photos. (Measured by hand, not here: it agrees with PIL's
 * {@code Image.resize(..., LANCZOS)} to 0.10 levels mean on a 2268x1512 -> 384x256 photo, while
 * TwelveMonkeys' ResampleOp, which it replaced, differs from PIL by 7.2 levels.)
 */
class LanczosTest {
    private static byte[] bytes(BufferedImage img) {
        BufferedImage rgb = ImageDecoder.toRgb(img, EnumSet.noneOf(Conversion.class));
        return ((DataBufferByte) rgb.getRaster().getDataBuffer()).getData();
    }

    /** Mean absolute difference per channel value, 0..255. */
    private static double meanDiff(BufferedImage a, BufferedImage b) {
        byte[] x = bytes(a);
        byte[] y = bytes(b);
        assertThat(x.length).isEqualTo(y.length);
        long sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += Math.abs((x[i] & 0xff) - (y[i] & 0xff));
        }
        return (double) sum / x.length;
    }

    /**
     * A direct, two-dimensional, double-precision Lanczos-3 of the same convention (pixel centres,
     * kernel widened by the scale when downscaling, edges clamped): an independent check of the
     * separable float implementation.
     */
    private static BufferedImage reference(BufferedImage src, int w, int h) {
        byte[] s = bytes(src);
        int sw = src.getWidth();
        int sh = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        byte[] d = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        double fx = (double) sw / w;
        double fy = (double) sh / h;
        double sx = Math.max(1, fx);
        double sy = Math.max(1, fy);
        for (int j = 0; j < h; j++) {
            double cy = (j + 0.5) * fy - 0.5;
            for (int i = 0; i < w; i++) {
                double cx = (i + 0.5) * fx - 0.5;
                double[] acc = new double[3];
                double norm = 0;
                for (int y = (int) Math.floor(cy - 3 * sy) + 1; y <= (int) Math.floor(cy + 3 * sy); y++) {
                    double wy = lanczos3((y - cy) / sy);
                    for (int x = (int) Math.floor(cx - 3 * sx) + 1; x <= (int) Math.floor(cx + 3 * sx); x++) {
                        double wgt = wy * lanczos3((x - cx) / sx);
                        int p = (Math.max(0, Math.min(y, sh - 1)) * sw + Math.max(0, Math.min(x, sw - 1))) * 3;
                        for (int c = 0; c < 3; c++) {
                            acc[c] += wgt * (s[p + c] & 0xff);
                        }
                        norm += wgt;
                    }
                }
                for (int c = 0; c < 3; c++) {
                    d[(j * w + i) * 3 + c] = (byte) Math.max(0, Math.min(255, Math.round(acc[c] / norm)));
                }
            }
        }
        return out;
    }

    private static double lanczos3(double x) {
        if (x == 0) {
            return 1;
        }
        if (Math.abs(x) >= 3) {
            return 0;
        }
        return 3 * Math.sin(Math.PI * x) * Math.sin(Math.PI * x / 3) / (Math.PI * Math.PI * x * x);
    }

    @Test
    void downscalingAPhotoAgreesWithADirectTwoDimensionalLanczos() throws Exception {
        BufferedImage photo = ImageDecoder.decode(Files.readAllBytes(TestData.flower("flower_small.q85_444_non_interleaved.jpg"))).image();
        int h = (int) Math.round(photo.getHeight() * 256.0 / photo.getWidth());
        BufferedImage ours = Lanczos.resizeAndCrop(photo, 256, h, 0, 0, 256, h);
        assertThat(meanDiff(ours, reference(photo, 256, h))).isLessThan(0.05);
    }

    @Test
    void upscalingARealPhotoAgreesWithADirectTwoDimensionalLanczos() {
        BufferedImage small = ImageDecoder.toRgb(TestData.dogs().get(5), EnumSet.noneOf(Conversion.class));
        BufferedImage ours = Lanczos.resizeAndCrop(small, 96, 96, 0, 0, 96, 96);
        assertThat(meanDiff(ours, reference(small, 96, 96))).isLessThan(0.05);
    }

    @Test
    void aCropOfTheResizeIsExactlyThatRegionOfTheFullResize() throws Exception {
        BufferedImage photo = ImageDecoder.decode(Files.readAllBytes(TestData.flower("flower_cropped.jpg"))).image();
        BufferedImage full = Lanczos.resizeAndCrop(photo, 300, 256, 0, 0, 300, 256);
        BufferedImage crop = Lanczos.resizeAndCrop(photo, 300, 256, 22, 0, 256, 256);
        BufferedImage expected = Preprocessor.centreCrop(full, 256, 256);
        assertThat(bytes(crop)).isEqualTo(bytes(expected));
    }

    @Test
    void aFlatImageStaysFlatUpToItsEdges() {
        BufferedImage flat = new BufferedImage(37, 23, BufferedImage.TYPE_3BYTE_BGR);
        java.util.Arrays.fill(((DataBufferByte) flat.getRaster().getDataBuffer()).getData(), (byte) 200);
        for (int[] size : new int[][]{{11, 7}, {100, 64}}) {
            byte[] out = bytes(Lanczos.resizeAndCrop(flat, size[0], size[1], 0, 0, size[0], size[1]));
            for (byte b : out) {
                assertThat(b & 0xff).isEqualTo(200);
            }
        }
    }
}
