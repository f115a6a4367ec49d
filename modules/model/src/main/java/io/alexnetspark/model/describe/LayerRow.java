package io.alexnetspark.model.describe;

/**
 * One row of the architecture table.
 *
 * @param name          paper name of the layer (conv1, pool1, fc6, ...)
 * @param kind          input, conv, lrn, maxpool, fc or softmax
 * @param height        output height (1 for fully connected layers)
 * @param width         output width
 * @param channels      output maps or units, over both towers together
 * @param groups        2 when the layer sees only its own tower's input maps, else 1
 * @param parameters    trainable parameters (weights and biases)
 * @param multiplyAdds  multiply-adds of one forward pass of one image
 * @param paperNeurons  the paper's neuron count for the layer, or null where it gives none
 * @param note          why ours differs from the paper's figure, or empty
 */
public record LayerRow(String name, String kind, int height, int width, int channels, int groups,
                       long parameters, long multiplyAdds, Long paperNeurons, String note) {

    /** Output neurons: height x width x channels. */
    public long neurons() {
        return (long) height * width * channels;
    }

    /** Output shape as H x W x C. */
    public String shape() {
        return height + "x" + width + "x" + channels;
    }

    LayerRow withPaper(Long paper, String why) {
        return new LayerRow(name, kind, height, width, channels, groups, parameters, multiplyAdds, paper, why);
    }
}
