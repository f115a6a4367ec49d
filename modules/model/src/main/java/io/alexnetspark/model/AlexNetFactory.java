package io.alexnetspark.model;

import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.layers.NativeConvolutionLayer;
import io.alexnetspark.model.layers.NativeLocalResponseNormalization;
import io.alexnetspark.model.train.ClassicMomentum;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Builds the DL4J {@link ComputationGraph} of a {@link ModelSpec} with the paper's recipe.
 *
 * <p>Vertex names: {@code input}, {@code conv1}...{@code conv5}, {@code lrn1}, {@code lrn2},
 * {@code pool1}, {@code pool2}, {@code pool5}, {@code fc6}, {@code fc7}, {@code fc8}. In the
 * two-tower variant the convolutional part exists once per tower with a suffix ({@code conv2_a},
 * {@code conv2_b}, ...), and {@code merge2} / {@code merge5} concatenate the towers' maps where the
 * paper's GPUs exchange them (before conv3 and before fc6). DL4J M2.1 has no grouped convolution,
 * so the towers are real separate layers; LRN and pooling then also work per tower, as on the
 * paper's two GPUs.
 *
 * <p>Dropout sits on the inputs of fc7 and fc8, which are the outputs of fc6 and fc7: DL4J applies
 * a layer's dropout to its input.
 */
public final class AlexNetFactory {

    /** Name of the network's input. */
    public static final String INPUT = "input";
    /** Name of the output layer. */
    public static final String OUTPUT = "fc8";

    private final ModelSpec spec;
    private final TrainingRecipe recipe;
    private final WorkspaceMode workspaceMode;
    private final LayerImplementation layers;

    /**
     * @param spec          the network
     * @param recipe        initial learning rate, momentum, weight decay and seed
     * @param workspaceMode ND4J workspaces (ENABLED in production)
     * @param layers        native libnd4j ops or DL4J's own layers for convolution and LRN
     */
    public AlexNetFactory(ModelSpec spec, TrainingRecipe recipe, WorkspaceMode workspaceMode, LayerImplementation layers) {
        this.spec = spec;
        this.recipe = recipe;
        this.workspaceMode = workspaceMode;
        this.layers = layers;
    }

    /** A new network, initialised with the paper's initialisation and the recipe's seed. */
    public ComputationGraph newNetwork() {
        ComputationGraph net = new ComputationGraph(configuration());
        net.init();
        return net;
    }

    /** The network's configuration (serialisable to JSON, e.g. for Spark's training masters). */
    public ComputationGraphConfiguration configuration() {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(recipe.seed())
                .dataType(DataType.FLOAT)
                .updater(new ClassicMomentum(recipe.initialLearningRate(), recipe.momentum()))
                .weightInit(spec.initScheme() == ModelSpec.InitScheme.HE
                        ? org.deeplearning4j.nn.weights.WeightInit.RELU.getWeightInitFunction()
                        : new WeightInitDistribution(new NormalDistribution(0, spec.weightStd())))
                // As a gradient term before momentum, L2 is the paper's "- 0.0005 * lr * w" exactly.
                .l2(recipe.weightDecay())
                .convolutionMode(ConvolutionMode.Truncate)
                .trainingWorkspaceMode(workspaceMode)
                .inferenceWorkspaceMode(workspaceMode)
                .cacheMode(CacheMode.NONE)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(InputType.convolutional(spec.inputHeight(), spec.inputWidth(), spec.inputChannels()));

        String features = spec.variant().twoTowers() ? twoTowers(g) : singleTower(g);

        g.addLayer("fc6", dense("fc6", 0.0), features)
                .addLayer("fc7", dense("fc7", spec.dropout()), "fc6")
                .addLayer(OUTPUT, new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(spec.classes())
                        .activation(Activation.SOFTMAX)
                        .biasInit(spec.initialBias("fc8"))
                        .dropOut(new Dropout(1.0 - spec.dropout()))
                        .build(), "fc7")
                .setOutputs(OUTPUT);
        return g.build();
    }

    private String singleTower(ComputationGraphConfiguration.GraphBuilder g) {
        g.addLayer("conv1", conv(1, 1), INPUT)
                .addLayer("lrn1", lrn(), "conv1")
                .addLayer("pool1", maxPool(), "lrn1")
                .addLayer("conv2", conv(2, 1), "pool1")
                .addLayer("lrn2", lrn(), "conv2")
                .addLayer("pool2", maxPool(), "lrn2")
                .addLayer("conv3", conv(3, 1), "pool2")
                .addLayer("conv4", conv(4, 1), "conv3")
                .addLayer("conv5", conv(5, 1), "conv4")
                .addLayer("pool5", maxPool(), "conv5");
        return "pool5";
    }

    private String twoTowers(ComputationGraphConfiguration.GraphBuilder g) {
        for (String t : new String[] {"_a", "_b"}) {
            g.addLayer("conv1" + t, conv(1, 2), INPUT)
                    .addLayer("lrn1" + t, lrn(), "conv1" + t)
                    .addLayer("pool1" + t, maxPool(), "lrn1" + t)
                    .addLayer("conv2" + t, conv(2, 2), "pool1" + t)
                    .addLayer("lrn2" + t, lrn(), "conv2" + t)
                    .addLayer("pool2" + t, maxPool(), "lrn2" + t);
        }
        // The paper's GPUs exchange maps here: conv3 on each tower sees both towers' conv2 output.
        g.addVertex("merge2", new MergeVertex(), "pool2_a", "pool2_b");
        for (String t : new String[] {"_a", "_b"}) {
            g.addLayer("conv3" + t, conv(3, 2), "merge2")
                    .addLayer("conv4" + t, conv(4, 2), "conv3" + t)
                    .addLayer("conv5" + t, conv(5, 2), "conv4" + t)
                    .addLayer("pool5" + t, maxPool(), "conv5" + t);
        }
        g.addVertex("merge5", new MergeVertex(), "pool5_a", "pool5_b");
        return "merge5";
    }

    /** Convolution {@code index} (1-based), with its filters divided over {@code towers}. */
    private ConvolutionLayer conv(int index, int towers) {
        ConvSpec c = spec.conv().get(index - 1);
        // conv1 reads the image: its input gradient is never used, so the native layer skips it.
        ConvolutionLayer.Builder builder = layers == LayerImplementation.NATIVE
                ? new NativeConvolutionLayer.Builder(c.kernel(), c.kernel()).inputGradient(index != 1)
                : new ConvolutionLayer.Builder(c.kernel(), c.kernel());
        return builder
                .stride(c.stride(), c.stride())
                .padding(c.padding(), c.padding())
                .nOut(c.filters() / towers)
                .activation(Activation.RELU)
                .biasInit(spec.initialBias("conv" + index))
                .build();
    }

    private LocalResponseNormalization lrn() {
        LrnSpec l = spec.lrn();
        if (layers == LayerImplementation.NATIVE) {
            return new NativeLocalResponseNormalization(l.n(), l.k(), l.alphaOnSum(), l.beta());
        }
        return new LocalResponseNormalization.Builder()
                .n(l.n())
                .k(l.k())
                .alpha(l.alphaOnSum())
                .beta(l.beta())
                .build();
    }

    private SubsamplingLayer maxPool() {
        return new SubsamplingLayer.Builder(PoolingType.MAX)
                .kernelSize(spec.poolSize(), spec.poolSize())
                .stride(spec.poolStride(), spec.poolStride())
                .build();
    }

    private DenseLayer dense(String name, double inputDropout) {
        DenseLayer.Builder b = new DenseLayer.Builder()
                .nOut(spec.fcWidth())
                .activation(Activation.RELU)
                .biasInit(spec.initialBias(name));
        if (inputDropout > 0) {
            b.dropOut(new Dropout(1.0 - inputDropout));
        }
        return b.build();
    }
}
