package io.alexnetspark.data.image;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;

/**
 * A separable Lanczos-3 resampler for 8-bit RGB ({@link BufferedImage#TYPE_3BYTE_BGR}) images, with
 * the crop folded in: only the output pixels of the wanted region are computed.
 *
 * <p>Why not TwelveMonkeys' {@code ResampleOp}: it took ~35 ms per 500x375 image here, the bulk
 * of ingestion's time; this one does the same filter in a few ms (precomputed weights, a
 * horizontal pass into a float buffer, then a vertical pass, over the crop only). When
 * downscaling, the kernel is widened by the scale factor (an antialiasing low-pass), as any
 * Lanczos resize does; edges clamp to the border pixels.
 */
public final class Lanczos {
    private static final int RADIUS = 3;

    private Lanczos() {
    }

    /** Taps of each output coordinate: first source index and normalised weights. */
    private record Taps(int[] first, float[][] weights) {
    }

    /**
     * Resizes {@code src} to {@code width x height} and returns the region
     * {@code (x, y, cropWidth, cropHeight)} of that result.
     */
    public static BufferedImage resizeAndCrop(BufferedImage src, int width, int height, int x, int y, int cropWidth,
                                              int cropHeight) {
        if (x < 0 || y < 0 || x + cropWidth > width || y + cropHeight > height || cropWidth < 1 || cropHeight < 1) {
            throw new IllegalArgumentException("crop " + cropWidth + "x" + cropHeight + "+" + x + "+" + y
                    + " outside " + width + "x" + height);
        }
        BufferedImage in = src.getType() == BufferedImage.TYPE_3BYTE_BGR ? src
                : ImageDecoder.toRgb(src, java.util.EnumSet.noneOf(Conversion.class));
        int sw = in.getWidth();
        int sh = in.getHeight();
        byte[] s = ((DataBufferByte) in.getRaster().getDataBuffer()).getData();
        Taps tx = taps(sw, width, x, cropWidth);
        Taps ty = taps(sh, height, y, cropHeight);

        // Source rows the vertical pass reads.
        int rowFrom = ty.first[0];
        int rowTo = rowFrom;
        for (int j = 0; j < cropHeight; j++) {
            rowTo = Math.max(rowTo, ty.first[j] + ty.weights[j].length);
        }
        int rows = rowTo - rowFrom;

        // Horizontal pass: rows x cropWidth x 3 floats.
        float[] tmp = new float[rows * cropWidth * 3];
        float[] row = new float[sw * 3];
        for (int r = 0; r < rows; r++) {
            // Each source value feeds several outputs: convert the row to float once.
            int srcRow = (rowFrom + r) * sw * 3;
            for (int k = 0; k < row.length; k++) {
                row[k] = s[srcRow + k] & 0xff;
            }
            int t = r * cropWidth * 3;
            for (int i = 0; i < cropWidth; i++) {
                float[] w = tx.weights[i];
                int p = tx.first[i] * 3;
                float b = 0;
                float g = 0;
                float rr = 0;
                for (float wk : w) {
                    b += wk * row[p];
                    g += wk * row[p + 1];
                    rr += wk * row[p + 2];
                    p += 3;
                }
                tmp[t++] = b;
                tmp[t++] = g;
                tmp[t++] = rr;
            }
        }

        // Vertical pass into the output bytes.
        BufferedImage out = new BufferedImage(cropWidth, cropHeight, BufferedImage.TYPE_3BYTE_BGR);
        byte[] d = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
        int stride = cropWidth * 3;
        float[] acc = new float[stride];
        for (int j = 0; j < cropHeight; j++) {
            java.util.Arrays.fill(acc, 0f);
            float[] w = ty.weights[j];
            int base = (ty.first[j] - rowFrom) * stride;
            for (float wk : w) {
                for (int k = 0; k < stride; k++) {
                    acc[k] += wk * tmp[base + k];
                }
                base += stride;
            }
            int o = j * stride;
            for (int k = 0; k < stride; k++) {
                int v = Math.round(acc[k]);
                d[o + k] = (byte) (v < 0 ? 0 : Math.min(v, 255));
            }
        }
        return out;
    }

    /**
     * Taps for output coordinates {@code from .. from + count - 1} of a resize from {@code in} to
     * {@code out} samples. Windows running off the image are clamped into it (their weights then
     * fall on the edge sample), so the first index is always inside and the window contiguous.
     */
    private static Taps taps(int in, int out, int from, int count) {
        double scale = (double) in / out;
        double support = RADIUS * Math.max(1, scale);
        double stretch = Math.max(1, scale);
        int[] first = new int[count];
        float[][] weights = new float[count][];
        for (int i = 0; i < count; i++) {
            double centre = (from + i + 0.5) * scale - 0.5;
            int lo = (int) Math.floor(centre - support) + 1;
            int hi = (int) Math.floor(centre + support);
            int a = Math.max(0, Math.min(lo, in - 1));
            int b = Math.max(0, Math.min(hi, in - 1));
            double[] w = new double[b - a + 1];
            double sum = 0;
            for (int k = lo; k <= hi; k++) {
                double v = kernel((k - centre) / stretch);
                w[Math.max(0, Math.min(k, in - 1)) - a] += v;
                sum += v;
            }
            float[] f = new float[w.length];
            for (int k = 0; k < w.length; k++) {
                f[k] = (float) (w[k] / sum);
            }
            first[i] = a;
            weights[i] = f;
        }
        return new Taps(first, weights);
    }

    private static double kernel(double x) {
        if (x == 0) {
            return 1;
        }
        if (x <= -RADIUS || x >= RADIUS) {
            return 0;
        }
        double px = Math.PI * x;
        return RADIUS * Math.sin(px) * Math.sin(px / RADIUS) / (px * px);
    }
}
