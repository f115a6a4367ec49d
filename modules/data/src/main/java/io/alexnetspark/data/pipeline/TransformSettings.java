package io.alexnetspark.data.pipeline;

import java.util.Arrays;

/**
 * How the pipeline turns a stored image into network input. The paper's training transform is a
 * random 227x227 crop of the 256x256 image, a random horizontal flip and PCA lighting, then mean
 * subtraction; evaluation takes the centre crop, or the 10-crop set (four corners and centre,
 * each also flipped).
 *
 * @param resizeShorterSide rescale the stored image so its shorter side is this (0: use as stored)
 * @param cropHeight        network input height
 * @param cropWidth         network input width
 * @param padding           virtual border (filled with the mean) around the image before cropping, e.g. 4 for
 *                          CIFAR-style crops; 0 for the paper
 * @param mode              train (random crops), centre or ten-crop evaluation
 * @param flip              random horizontal flips (train mode)
 * @param pcaSigma          standard deviation of the PCA lighting coefficients (0: off; the paper: 0.1)
 * @param mean              per-channel R, G, B mean subtracted from values scaled to 0..1
 */
public record TransformSettings(int resizeShorterSide, int cropHeight, int cropWidth, int padding, Mode mode,
                                boolean flip, double pcaSigma, float[] mean) implements java.io.Serializable {
    /** ImageNet's RGB mean on 0..1 values. */
    public static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};

    /** The crop policy. */
    public enum Mode {
        /** Random crop, random flip, PCA lighting. */
        TRAIN,
        /** The central crop, nothing random. */
        CENTRE,
        /** Ten crops per image: corners, centre and their mirror images (image-major order). */
        TEN_CROP;

        /** Output examples per input image. */
        public int viewsPerImage() {
            return this == TEN_CROP ? 10 : 1;
        }
    }

    public TransformSettings {
        if (cropHeight < 1 || cropWidth < 1 || padding < 0 || resizeShorterSide < 0 || pcaSigma < 0) {
            throw new IllegalArgumentException("bad transform settings: crop " + cropHeight + "x" + cropWidth
                    + ", padding " + padding + ", resize " + resizeShorterSide + ", pca sigma " + pcaSigma);
        }
        if (mean == null || mean.length != 3) {
            throw new IllegalArgumentException("mean must have 3 values (R, G, B)");
        }
        mean = mean.clone();
    }

    /** The paper's training transform: 227 crops of 256 images, flips, PCA sigma 0.1, ImageNet mean. */
    public static TransformSettings paperTrain() {
        return new TransformSettings(0, 227, 227, 0, Mode.TRAIN, true, 0.1, IMAGENET_MEAN);
    }

    /** The paper's evaluation: the centre 227 crop. */
    public static TransformSettings paperEval(boolean tenCrop) {
        return new TransformSettings(0, 227, 227, 0, tenCrop ? Mode.TEN_CROP : Mode.CENTRE, false, 0, IMAGENET_MEAN);
    }

    /** The same settings in another mode (train -> evaluation for a validation iterator). */
    public TransformSettings withMode(Mode m) {
        return new TransformSettings(resizeShorterSide, cropHeight, cropWidth, padding, m, flip, pcaSigma, mean);
    }

    @Override
    public float[] mean() {
        return mean.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransformSettings t && t.resizeShorterSide == resizeShorterSide && t.cropHeight == cropHeight
                && t.cropWidth == cropWidth && t.padding == padding && t.mode == mode && t.flip == flip
                && t.pcaSigma == pcaSigma && Arrays.equals(t.mean, mean);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + java.util.Objects.hash(resizeShorterSide, cropHeight, cropWidth, padding, mode, flip, pcaSigma);
    }

    @Override
    public String toString() {
        return "TransformSettings[resize=" + resizeShorterSide + ", crop=" + cropHeight + "x" + cropWidth + ", padding="
                + padding + ", mode=" + mode + ", flip=" + flip + ", pcaSigma=" + pcaSigma + ", mean=" + Arrays.toString(mean) + "]";
    }
}
