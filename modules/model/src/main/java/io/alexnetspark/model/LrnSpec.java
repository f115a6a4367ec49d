package io.alexnetspark.model;

/**
 * Local response normalisation, {@code b = a / (k + alpha' * sum(a^2))^beta} over {@code n}
 * adjacent maps.
 *
 * <p>The paper multiplies the sum by {@code alpha} itself; Caffe and PyTorch multiply by
 * {@code alpha / n}. {@link #convention} says which of the two {@link #alpha} is written in, and
 * {@link #alphaOnSum()} gives the factor that really multiplies the sum, which is what DL4J's
 * {@code LocalResponseNormalization} expects (it does not divide by n).
 *
 * @param n          number of adjacent maps in the window (odd)
 * @param k          additive constant
 * @param alpha      scale, in the given convention
 * @param beta       exponent
 * @param convention how {@code alpha} is written
 */
public record LrnSpec(int n, double k, double alpha, double beta, AlphaConvention convention) {

    /** How an LRN {@code alpha} is written. */
    public enum AlphaConvention {
        /** Krizhevsky et al. 2012 (and DL4J): the sum is multiplied by alpha. */
        PAPER("paper"),
        /** Caffe, PyTorch: the sum is multiplied by alpha / n. */
        DIVIDED_BY_N("divided-by-n");

        private final String configName;

        AlphaConvention(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static AlphaConvention fromConfigName(String name) {
            return io.alexnetspark.model.config.ConfigNames.parse(AlphaConvention.class, name);
        }
    }

    /** The paper's values: n=5, k=2, alpha=1e-4, beta=0.75, alpha not divided by n. */
    public static LrnSpec paper() {
        return new LrnSpec(5, 2.0, 1e-4, 0.75, AlphaConvention.PAPER);
    }

    /** The factor that multiplies the sum of squares. */
    public double alphaOnSum() {
        return convention == AlphaConvention.PAPER ? alpha : alpha / n;
    }
}
