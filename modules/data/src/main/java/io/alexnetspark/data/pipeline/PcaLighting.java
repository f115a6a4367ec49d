package io.alexnetspark.data.pipeline;

import java.util.Random;

/**
 * The paper's "PCA colour augmentation" (section 4.1): to every pixel of an image add
 * {@code [p1 p2 p3] [a1*l1, a2*l2, a3*l3]^T}, where p_i and l_i are the eigenvectors and
 * eigenvalues of the 3x3 covariance of RGB values over the training set and a_i ~ N(0, sigma^2)
 * is drawn once per image per presentation. The defaults are the ImageNet values (for RGB scaled
 * to 0..1) that fb.resnet.torch and most re-implementations use.
 */
public final class PcaLighting {
    /** ImageNet RGB eigenvalues (for values in 0..1). */
    public static final double[] IMAGENET_EIGENVALUES = {0.2175, 0.0188, 0.0045};
    /** ImageNet RGB eigenvectors: column j is eigenvector j; row c is colour channel c (R, G, B). */
    public static final double[][] IMAGENET_EIGENVECTORS = {
            {-0.5675, 0.7192, 0.4009},
            {-0.5808, -0.0045, -0.8140},
            {-0.5836, -0.6948, 0.4203}};

    private final double sigma;
    private final double[] eigenvalues;
    private final double[][] eigenvectors;

    public PcaLighting(double sigma, double[] eigenvalues, double[][] eigenvectors) {
        if (sigma < 0) {
            throw new IllegalArgumentException("sigma must be >= 0, got " + sigma);
        }
        this.sigma = sigma;
        this.eigenvalues = eigenvalues.clone();
        this.eigenvectors = new double[3][];
        for (int i = 0; i < 3; i++) {
            this.eigenvectors[i] = eigenvectors[i].clone();
        }
    }

    /** The paper's setting: sigma 0.1 on the ImageNet eigen-decomposition. */
    public static PcaLighting imagenet(double sigma) {
        return new PcaLighting(sigma, IMAGENET_EIGENVALUES, IMAGENET_EIGENVECTORS);
    }

    /** The per-channel (R, G, B) offset for given coefficients a: {@code V * (a .* lambda)}. */
    public float[] offset(double[] alphas) {
        float[] rgb = new float[3];
        for (int c = 0; c < 3; c++) {
            double s = 0;
            for (int j = 0; j < 3; j++) {
                s += eigenvectors[c][j] * alphas[j] * eigenvalues[j];
            }
            rgb[c] = (float) s;
        }
        return rgb;
    }

    /** Draws a ~ N(0, sigma^2) and returns the offset. */
    public float[] sample(Random random) {
        return offset(new double[]{random.nextGaussian() * sigma, random.nextGaussian() * sigma,
                random.nextGaussian() * sigma});
    }

    /** Whether it changes anything. */
    public boolean enabled() {
        return sigma > 0;
    }
}
