package io.alexnetspark.data.pipeline;

import org.junit.jupiter.api.Test;

import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Crops, flips, padding, mean and lighting on a small synthetic image whose pixels encode their position. */
class ImageTransformTest {
    private static final float[] NO_MEAN = {0, 0, 0};

    /** A w x h image with R = 10*x, G = 10*y, B = 200. */
    static BufferedImage grid(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (10 * x) << 16 | (10 * y) << 8 | 200);
            }
        }
        return img;
    }

    private static float at(float[] out, int c, int y, int x, int h, int w) {
        return out[c * h * w + y * w + x];
    }

    @Test
    void centreCropIsCHWScaledToUnitRangeMinusTheMean() {
        float[] mean = {0.1f, 0.2f, 0.3f};
        ImageTransform t = new ImageTransform(new TransformSettings(0, 2, 2, 0, TransformSettings.Mode.CENTRE, false, 0, mean));
        float[] out = new float[t.exampleSize()];
        t.apply(grid(4, 6), new Random(0), out, 0);
        // centre 2x2 of a 4 wide, 6 high image starts at x = 1, y = 2
        assertThat(at(out, 0, 0, 0, 2, 2)).isCloseTo(10 / 255f - 0.1f, within(1e-6f));
        assertThat(at(out, 0, 0, 1, 2, 2)).isCloseTo(20 / 255f - 0.1f, within(1e-6f));
        assertThat(at(out, 1, 0, 0, 2, 2)).isCloseTo(20 / 255f - 0.2f, within(1e-6f));
        assertThat(at(out, 1, 1, 0, 2, 2)).isCloseTo(30 / 255f - 0.2f, within(1e-6f));
        assertThat(at(out, 2, 1, 1, 2, 2)).isCloseTo(200 / 255f - 0.3f, within(1e-6f));
    }

    @Test
    void tenCropGivesCornersCentreAndTheirMirrors() {
        ImageTransform t = new ImageTransform(new TransformSettings(0, 2, 2, 0, TransformSettings.Mode.TEN_CROP, false, 0, NO_MEAN));
        int n = t.exampleSize();
        float[] out = new float[10 * n];
        t.apply(grid(5, 5), new Random(0), out, 0);
        int[][] expectedOrigins = {{0, 0}, {0, 3}, {3, 0}, {3, 3}, {1, 1}}; // (y, x)
        for (int v = 0; v < 5; v++) {
            int y0 = expectedOrigins[v][0];
            int x0 = expectedOrigins[v][1];
            // R encodes x, G encodes y
            assertThat(out[v * n]).isCloseTo(10 * x0 / 255f, within(1e-6f));
            assertThat(out[v * n + 4]).isCloseTo(10 * y0 / 255f, within(1e-6f));
            // the mirror: its first column is the original's last
            assertThat(out[(v + 5) * n]).isCloseTo(10 * (x0 + 1) / 255f, within(1e-6f));
            assertThat(out[(v + 5) * n + 1]).isCloseTo(10 * x0 / 255f, within(1e-6f));
        }
    }

    @Test
    void trainingCropsAndFlipsVaryAndStayInsideTheImage() {
        ImageTransform t = new ImageTransform(new TransformSettings(0, 3, 3, 0, TransformSettings.Mode.TRAIN, true, 0, NO_MEAN));
        Random r = new Random(3);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            float[] out = new float[t.exampleSize()];
            t.apply(grid(6, 6), r, out, 0);
            int xFirst = Math.round(out[0] * 255 / 10);
            int xLast = Math.round(out[2] * 255 / 10);
            int y = Math.round(out[9] * 255 / 10);
            boolean flipped = xFirst > xLast;
            int x0 = Math.min(xFirst, xLast);
            assertThat(x0).isBetween(0, 3);
            assertThat(y).isBetween(0, 3);
            assertThat(Math.abs(xLast - xFirst)).isEqualTo(2);
            seen.add(x0 + "," + y + "," + flipped);
        }
        // 4 x 4 origins x 2 flips: all of them show up in 200 draws
        assertThat(seen).hasSize(32);
    }

    @Test
    void paddingFillsWithTheMeanWhichIsZeroAfterSubtraction() {
        float[] mean = {0.5f, 0.5f, 0.5f};
        ImageTransform t = new ImageTransform(new TransformSettings(0, 4, 4, 1, TransformSettings.Mode.TEN_CROP, false, 0, mean));
        float[] out = new float[10 * t.exampleSize()];
        t.apply(grid(4, 4), new Random(0), out, 0);
        // view 0 is the top-left corner of the padded image: its first row and column are padding
        assertThat(out[0]).isZero();
        assertThat(out[3]).isZero();
        assertThat(out[4]).isZero();
        assertThat(out[5]).isCloseTo(0 / 255f - 0.5f, within(1e-6f)); // pixel (0, 0)
    }

    @Test
    void lightingShiftsEveryPixelOfAChannelByTheSameAmount() {
        ImageTransform t = new ImageTransform(new TransformSettings(0, 4, 4, 0, TransformSettings.Mode.TRAIN, false, 0.1, NO_MEAN));
        float[] out = new float[t.exampleSize()];
        t.apply(grid(4, 4), new Random(11), out, 0);
        float shiftB = out[2 * 16] - 200 / 255f;
        assertThat(shiftB).isNotZero();
        for (int i = 0; i < 16; i++) {
            assertThat(out[2 * 16 + i] - 200 / 255f).isCloseTo(shiftB, within(1e-6f));
        }
    }
}
