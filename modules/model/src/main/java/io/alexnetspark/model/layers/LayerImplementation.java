package io.alexnetspark.model.layers;

/** Which implementation the network's convolution and LRN layers use. */
public enum LayerImplementation {
    /** Single libnd4j ops (conv2d, lrn and their _bp): oneDNN on CPU, cuDNN for conv on CUDA. */
    NATIVE("native"),
    /** DL4J's own layers: Java im2col + gemm for convolution, LRN from many small ND4J ops. */
    DL4J("dl4j");

    private final String configName;

    LayerImplementation(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static LayerImplementation fromConfigName(String name) {
        return io.alexnetspark.model.config.ConfigNames.parse(LayerImplementation.class, name);
    }
}
