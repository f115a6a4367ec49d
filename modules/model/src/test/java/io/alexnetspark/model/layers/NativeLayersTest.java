package io.alexnetspark.model.layers;

import io.alexnetspark.model.AlexNetFactory;
import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.ConvSpec;
import io.alexnetspark.model.LrnSpec;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.distribution.NormalDistribution;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInitDistribution;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native layers (libnd4j conv2d / lrn ops) against DL4J's own layers, and a gradient check of
 * the native layers in double precision.
 */
class NativeLayersTest {

    /**
     * A small network of the paper's layer types, without dropout so that two runs are comparable,
     * and the paper's LRN (alpha 1e-4: DL4J's approximate LRN gradient is then within float noise).
     */
    private static ModelSpec smallSpec(AlexNetVariant variant) {
        return new ModelSpec(variant, 35, 35, 3, 5,
                List.of(new ConvSpec(8, 5, 2, 1), new ConvSpec(16, 3, 1, 1), new ConvSpec(16, 3, 1, 1),
                        new ConvSpec(16, 3, 1, 1), new ConvSpec(8, 3, 1, 1)),
                3, 2, 24, 0.0, LrnSpec.paper(), 0.1,
                Set.of("conv2", "conv4", "conv5", "fc6", "fc7"));
    }

    @ParameterizedTest
    @EnumSource(AlexNetVariant.class)
    void nativeLayersMatchDl4jsForwardAndGradients(AlexNetVariant variant) {
        ModelSpec spec = smallSpec(variant);
        ComputationGraph reference = new AlexNetFactory(spec, TrainingRecipe.paper(), WorkspaceMode.ENABLED,
                LayerImplementation.DL4J).newNetwork();
        ComputationGraph fast = new AlexNetFactory(spec, TrainingRecipe.paper(), WorkspaceMode.ENABLED,
                LayerImplementation.NATIVE).newNetwork();
        fast.setParams(reference.params().dup());
        assertThat(fast.getLayer(variant.twoTowers() ? "conv2_a" : "conv2")).isInstanceOf(NativeConvolution.class);
        assertThat(fast.getLayer(variant.twoTowers() ? "lrn1_b" : "lrn1")).isInstanceOf(NativeLrn.class);

        Nd4j.getRandom().setSeed(11);
        INDArray x = Nd4j.randn(DataType.FLOAT, 4, 3, 35, 35);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 5);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 5, 1.0);
        }

        Map<String, INDArray> refActs = reference.feedForward(x, false);
        Map<String, INDArray> fastActs = fast.feedForward(x, false);
        for (String vertex : refActs.keySet()) {
            assertThat(relativeError(fastActs.get(vertex), refActs.get(vertex))).as("activation of " + vertex)
                    .isLessThan(1e-4);
        }

        reference.setInputs(x);
        reference.setLabels(y);
        reference.computeGradientAndScore();
        fast.setInputs(x);
        fast.setLabels(y);
        fast.computeGradientAndScore();
        assertThat(fast.score()).isCloseTo(reference.score(), org.assertj.core.api.Assertions.within(1e-4));
        Map<String, INDArray> refGrads = reference.gradient().gradientForVariable();
        Map<String, INDArray> fastGrads = fast.gradient().gradientForVariable();
        assertThat(fastGrads.keySet()).isEqualTo(refGrads.keySet());
        for (String param : refGrads.keySet()) {
            assertThat(relativeError(fastGrads.get(param), refGrads.get(param))).as("gradient of " + param)
                    .isLessThan(1e-3);
        }
    }

    @Test
    void nativeLayersPassADoublePrecisionGradientCheck() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            for (Activation act : new Activation[] {Activation.TANH, Activation.RELU}) {
              for (boolean inputGradient : new boolean[] {true, false}) {
                ComputationGraph net = new ComputationGraph(gradientCheckGraph(act, inputGradient));
                net.init();
                Nd4j.getRandom().setSeed(5);
                INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 9, 9);
                INDArray y = Nd4j.zeros(DataType.DOUBLE, 2, 3);
                y.putScalar(0, 1, 1.0);
                y.putScalar(1, 2, 1.0);
                boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig()
                        .net(net).inputs(new INDArray[] {x}).labels(new INDArray[] {y})
                        .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
                assertThat(ok).as("gradient check with " + act + ", input gradient " + inputGradient).isTrue();
              }
            }
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    /**
     * The LRN input gradient against central differences of the forward pass, on random upstream
     * gradients and a large alpha where the window's scales differ: ours is exact; DL4J's divides
     * by the centre's scale and is measurably off (libnd4j's lrn_bp, not used, is ~10% off).
     */
    @Test
    void lrnGradientIsExactWhereDl4jsIsApproximate() {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            Nd4j.getRandom().setSeed(1);
            INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 7, 3, 2);
            INDArray upstream = Nd4j.randn(DataType.DOUBLE, 2, 7, 3, 2);
            var ours = new NativeLocalResponseNormalization(5, 2.0, 0.1, 0.75);
            var dl4j = new org.deeplearning4j.nn.conf.layers.LocalResponseNormalization.Builder()
                    .n(5).k(2.0).alpha(0.1).beta(0.75).build();
            assertThat(lrnGradientError(ours, x, upstream)).isLessThan(1e-7);
            assertThat(lrnGradientError(dl4j, x, upstream)).isGreaterThan(1e-3);
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    /**
     * In float the window sums run on oneDNN's pooling (its platform helper), in double on libnd4j's
     * generic kernel: both must give the gradient the double test above proves exact, edges included.
     */
    @Test
    void lrnGradientInFloatMatchesTheExactDoubleOne() {
        Nd4j.getRandom().setSeed(2);
        INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 9, 4, 3);
        INDArray upstream = Nd4j.randn(DataType.DOUBLE, 2, 9, 4, 3);
        INDArray inDouble = lrnGradient(DataType.DOUBLE, x, upstream);
        INDArray inFloat = lrnGradient(DataType.FLOAT, x.castTo(DataType.FLOAT), upstream.castTo(DataType.FLOAT));
        assertThat(relativeError(inFloat, inDouble)).isLessThan(1e-5);
    }

    private static INDArray lrnGradient(DataType type, INDArray x, INDArray upstream) {
        var conf = new NativeLocalResponseNormalization(5, 2.0, 0.1, 0.75);
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(type).layer(conf).build();
        org.deeplearning4j.nn.api.Layer layer = conf.instantiate(nnc, null, 0, null, false, type);
        layer.setInput(x, LayerWorkspaceMgr.noWorkspaces());
        layer.activate(true, LayerWorkspaceMgr.noWorkspaces());
        return layer.backpropGradient(upstream, LayerWorkspaceMgr.noWorkspaces()).getSecond().dup();
    }

    private static double lrnGradientError(org.deeplearning4j.nn.conf.layers.LocalResponseNormalization conf,
                                           INDArray x, INDArray upstream) {
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).layer(conf).build();
        org.deeplearning4j.nn.api.Layer layer = conf.instantiate(nnc, null, 0, null, false, DataType.DOUBLE);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x, none);
        layer.activate(true, none);
        INDArray analytic = layer.backpropGradient(upstream.dup(), none).getSecond().dup();
        INDArray numeric = Nd4j.zeros(DataType.DOUBLE, x.shape());
        double h = 1e-6;
        for (int i = 0; i < x.length(); i++) {
            double[] f = new double[2];
            for (int side = 0; side < 2; side++) {
                INDArray shifted = x.dup();
                shifted.putScalar(i, x.getDouble(i) + (side == 0 ? h : -h));
                layer.setInput(shifted, none);
                f[side] = layer.activate(false, none).mul(upstream).sumNumber().doubleValue();
            }
            numeric.putScalar(i, (f[0] - f[1]) / (2 * h));
        }
        return relativeError(analytic, numeric);
    }

    @Test
    void nativeConfigurationsSurviveJson() {
        ComputationGraphConfiguration conf = new AlexNetFactory(smallSpec(AlexNetVariant.ALEXNET_2012),
                TrainingRecipe.paper(), WorkspaceMode.ENABLED, LayerImplementation.NATIVE).configuration();
        String json = conf.toJson();
        assertThat(json).contains(NativeConvolutionLayer.class.getName()).contains(
                NativeLocalResponseNormalization.class.getName());
        assertThat(ComputationGraphConfiguration.fromJson(json)).isEqualTo(conf);
    }

    /**
     * conv (stride 2, padding 1) -> LRN -> max pool -> softmax, in double, native layers; with
     * inputGradient false the conv computes its weight gradient through im2col + gemm instead.
     */
    private static ComputationGraphConfiguration gradientCheckGraph(Activation convActivation, boolean inputGradient) {
        return new NeuralNetConfiguration.Builder()
                .dataType(DataType.DOUBLE)
                .seed(3)
                .updater(new NoOp())
                .weightInit(new WeightInitDistribution(new NormalDistribution(0, 0.5)))
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(9, 9, 3))
                .addLayer("conv", new NativeConvolutionLayer.Builder(3, 3).inputGradient(inputGradient).stride(2, 2).padding(1, 1).nOut(6)
                        .activation(convActivation).biasInit(0.1).build(), "in")
                .addLayer("lrn", new NativeLocalResponseNormalization(5, 2.0, 0.1, 0.75), "conv")
                .addLayer("pool", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).build(), "lrn")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("out")
                .build();
    }

    private static double relativeError(INDArray actual, INDArray expected) {
        double norm = expected.norm2Number().doubleValue();
        double diff = actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).norm2Number().doubleValue();
        return norm == 0 ? diff : diff / norm;
    }
}
