package io.alexnetspark.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything that fixes the network's shape and initial values: the variant, the input, the five
 * convolutions, pooling, the fully connected width, dropout, LRN and initialisation.
 *
 * <p>{@link #paper()} is the 2012 paper's network; smaller variants (fewer maps, small images) are
 * the same code with other numbers, which is how tests and the demo train in minutes.
 *
 * @param variant         one or two towers
 * @param inputHeight     input height in pixels (227 in the paper's arithmetic)
 * @param inputWidth      input width in pixels
 * @param inputChannels   3 for RGB
 * @param classes         output classes (1000 for ILSVRC-2012)
 * @param conv            conv1..conv5, in order
 * @param poolSize        max-pooling window (3: overlapping)
 * @param poolStride      max-pooling stride (2)
 * @param fcWidth         width of fc6 and fc7 (4096)
 * @param dropout         probability of dropping an fc6/fc7 output during training (0.5)
 * @param lrn             the LRN after conv1 and conv2
 * @param weightStd       standard deviation of the zero-mean Gaussian weight init (0.01)
 * @param biasOneLayers   layers whose biases start at 1 (the rest start at 0)
 * @param initScheme      PAPER: weights N(0, weightStd^2); HE: N(0, 2 / fan-in), for narrow networks
 */
public record ModelSpec(
        AlexNetVariant variant,
        int inputHeight,
        int inputWidth,
        int inputChannels,
        int classes,
        List<ConvSpec> conv,
        int poolSize,
        int poolStride,
        int fcWidth,
        double dropout,
        LrnSpec lrn,
        double weightStd,
        Set<String> biasOneLayers,
        InitScheme initScheme) {

    /** How the weights are initialised. */
    public enum InitScheme {
        /** The paper: every weight N(0, weight-std^2), weight-std 0.01. */
        PAPER("paper"),
        /**
         * He et al. 2015: N(0, 2 / fan-in) per layer. For narrow networks (demo, tests), where a
         * fixed 0.01 leaves almost no signal by conv5 and training never starts.
         */
        HE("he");

        private final String configName;

        InitScheme(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        public static InitScheme fromConfigName(String name) {
            return io.alexnetspark.model.config.ConfigNames.parse(InitScheme.class, name);
        }
    }

    /** A spec with the paper's initialisation scheme. */
    public ModelSpec(AlexNetVariant variant, int inputHeight, int inputWidth, int inputChannels, int classes,
                     List<ConvSpec> conv, int poolSize, int poolStride, int fcWidth, double dropout, LrnSpec lrn,
                     double weightStd, Set<String> biasOneLayers) {
        this(variant, inputHeight, inputWidth, inputChannels, classes, conv, poolSize, poolStride, fcWidth, dropout,
                lrn, weightStd, biasOneLayers, InitScheme.PAPER);
    }

    /** Names of the layers whose bias initialisation can be chosen. */
    public static final List<String> BIAS_LAYERS =
            List.of("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8");

    /** Validates the components. */
    public ModelSpec {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(initScheme, "initScheme");
        conv = List.copyOf(conv);
        biasOneLayers = Set.copyOf(biasOneLayers);
        if (conv.size() != 5) {
            throw new IllegalArgumentException("AlexNet has 5 convolution layers, got " + conv.size());
        }
        if (variant.twoTowers()) {
            for (int i = 0; i < conv.size(); i++) {
                if (conv.get(i).filters() % 2 != 0) {
                    throw new IllegalArgumentException("conv" + (i + 1) + " filters must be even to split into two towers, got "
                            + conv.get(i).filters());
                }
            }
        }
    }

    /**
     * The paper's network: 227x227x3 input, conv 96-256-384-384-256, overlapping 3x3/2 max pooling,
     * fc 4096-4096-1000, dropout 0.5, LRN (5, 2, 1e-4, 0.75), N(0, 0.01) weights, biases 1 in conv2,
     * conv4, conv5 and the fully connected hidden layers.
     */
    public static ModelSpec paper(AlexNetVariant variant) {
        return new ModelSpec(variant, 227, 227, 3, 1000,
                List.of(new ConvSpec(96, 11, 4, 0),
                        new ConvSpec(256, 5, 1, 2),
                        new ConvSpec(384, 3, 1, 1),
                        new ConvSpec(384, 3, 1, 1),
                        new ConvSpec(256, 3, 1, 1)),
                3, 2, 4096, 0.5, LrnSpec.paper(), 0.01,
                Set.of("conv2", "conv4", "conv5", "fc6", "fc7"));
    }

    /** The same network with another input size (e.g. 224, to show why the paper's 224 does not add up). */
    public ModelSpec withInput(int height, int width) {
        return new ModelSpec(variant, height, width, inputChannels, classes, conv, poolSize, poolStride,
                fcWidth, dropout, lrn, weightStd, biasOneLayers, initScheme);
    }

    /** The same network in another variant. */
    public ModelSpec withVariant(AlexNetVariant other) {
        return new ModelSpec(other, inputHeight, inputWidth, inputChannels, classes, conv, poolSize, poolStride,
                fcWidth, dropout, lrn, weightStd, biasOneLayers, initScheme);
    }

    /** Initial bias of the named layer: 1 or 0. */
    public double initialBias(String layer) {
        return biasOneLayers.contains(layer) ? 1.0 : 0.0;
    }

    /** Whether conv layer {@code index} (1-based) sees only its own tower's input maps. */
    public boolean convSeesOwnTowerOnly(int index) {
        // conv1 sees the image, conv3 sees both towers' conv2 maps (the paper's cross-GPU layer).
        return variant.twoTowers() && (index == 2 || index == 4 || index == 5);
    }

    public int towers() {
        return variant.twoTowers() ? 2 : 1;
    }
}
