package io.alexnetspark.data.pipeline;

import io.alexnetspark.data.image.Preprocessor;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.PixelInterleavedSampleModel;
import java.awt.image.Raster;
import java.util.Random;

/**
 * Writes one image (or its ten views) into a float CHW block: crop, optional flip, values scaled
 * to 0..1, PCA lighting offset added, mean subtracted. Pixels of the virtual padding border take
 * the mean's value (0 after subtraction). Thread-safe; randomness comes from the caller's
 * {@link Random}, so a batch is reproducible from its seed.
 */
public final class ImageTransform {
    private final TransformSettings settings;
    private final PcaLighting lighting;
    private final float[] mean;

    public ImageTransform(TransformSettings settings) {
        this.settings = settings;
        this.lighting = PcaLighting.imagenet(settings.pcaSigma());
        this.mean = settings.mean();
    }

    /** Floats per output example: 3 x cropHeight x cropWidth. */
    public int exampleSize() {
        return 3 * settings.cropHeight() * settings.cropWidth();
    }

    /** The settings. */
    public TransformSettings settings() {
        return settings;
    }

    /**
     * Writes {@link TransformSettings.Mode#viewsPerImage()} examples starting at {@code out[offset]}.
     *
     * @param image a TYPE_3BYTE_BGR image
     */
    public void apply(BufferedImage image, Random random, float[] out, int offset) {
        if (settings.resizeShorterSide() > 0) {
            image = Preprocessor.resizeShorterSide(image, settings.resizeShorterSide());
        }
        int ch = settings.cropHeight();
        int cw = settings.cropWidth();
        int p = settings.padding();
        // Crop origins in image coordinates; the padded image spans -p .. size+p.
        int maxY = image.getHeight() + p - ch;
        int maxX = image.getWidth() + p - cw;
        if (maxY < -p || maxX < -p) {
            throw new IllegalArgumentException("a " + ch + "x" + cw + " crop does not fit a " + image.getWidth() + "x"
                    + image.getHeight() + " image with padding " + p);
        }
        // The centre crop's origin: the midpoint of the range of origins [-p, max].
        int cy = Math.floorDiv(maxY - p, 2);
        int cx = Math.floorDiv(maxX - p, 2);
        switch (settings.mode()) {
            case TRAIN -> {
                int y = -p + random.nextInt(maxY + p + 1);
                int x = -p + random.nextInt(maxX + p + 1);
                boolean flip = settings.flip() && random.nextBoolean();
                float[] light = lighting.enabled() ? lighting.sample(random) : new float[3];
                write(image, y, x, flip, light, out, offset);
            }
            case CENTRE -> write(image, cy, cx, false, new float[3], out, offset);
            case TEN_CROP -> {
                int[][] origins = {{-p, -p}, {-p, maxX}, {maxY, -p}, {maxY, maxX}, {cy, cx}};
                int n = 0;
                for (int[] o : origins) {
                    write(image, o[0], o[1], false, new float[3], out, offset + (n++) * exampleSize());
                }
                for (int[] o : origins) {
                    write(image, o[0], o[1], true, new float[3], out, offset + (n++) * exampleSize());
                }
            }
        }
    }

    /** Copies the crop at (y0, x0) into CHW floats; {@code flip} mirrors it left-right. */
    void write(BufferedImage image, int y0, int x0, boolean flip, float[] light, float[] out, int offset) {
        Raster raster = image.getRaster();
        if (!(raster.getSampleModel() instanceof PixelInterleavedSampleModel sm) || sm.getNumBands() != 3) {
            throw new IllegalArgumentException("expected an interleaved 3-band image, got type " + image.getType());
        }
        byte[] data = ((DataBufferByte) raster.getDataBuffer()).getData();
        int stride = sm.getScanlineStride();
        int pixelStride = sm.getPixelStride();
        int[] bandOffsets = sm.getBandOffsets(); // band 0 = R, 1 = G, 2 = B (stored BGR)
        int base = -raster.getSampleModelTranslateY() * stride - raster.getSampleModelTranslateX() * pixelStride;
        int ch = settings.cropHeight();
        int cw = settings.cropWidth();
        int w = image.getWidth();
        int h = image.getHeight();
        int plane = ch * cw;
        for (int c = 0; c < 3; c++) {
            float add = light[c] - mean[c];
            float pad = 0f; // the mean's value after subtraction
            int band = bandOffsets[c];
            int planeOff = offset + c * plane;
            for (int y = 0; y < ch; y++) {
                int sy = y0 + y;
                int row = planeOff + y * cw;
                if (sy < 0 || sy >= h) {
                    java.util.Arrays.fill(out, row, row + cw, pad);
                    continue;
                }
                int srcRow = base + sy * stride + band;
                for (int x = 0; x < cw; x++) {
                    int sx = x0 + (flip ? cw - 1 - x : x);
                    out[row + x] = sx < 0 || sx >= w ? pad
                            : (data[srcRow + sx * pixelStride] & 0xff) * (1f / 255f) + add;
                }
            }
        }
    }
}
