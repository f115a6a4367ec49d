package io.alexnetspark.model;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.layers.NativeLocalResponseNormalization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** LRN values of both layer implementations, against the paper's formula worked by hand. */
class LrnTest {

    /**
     * Five maps a = 1..5 at one pixel, n = 5 (two neighbours each side), k = 2, alpha = 0.1, beta = 0.75.
     * Map 0 sums a0..a2: 1 + 4 + 9 = 14, so b0 = 1 / (2 + 0.1 * 14)^0.75 = 1 / 3.4^0.75 = 0.399384...
     * Map 2 sums all five: 55, so b2 = 3 / (2 + 5.5)^0.75 = 3 / 7.5^0.75 = 0.661950...
     */
    @ParameterizedTest
    @EnumSource(LayerImplementation.class)
    void paperConventionMatchesTheFormulaWorkedByHand(LayerImplementation impl) {
        LrnSpec spec = new LrnSpec(5, 2.0, 0.1, 0.75, LrnSpec.AlphaConvention.PAPER);
        INDArray out = lrn(spec, Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5}).reshape(1, 5, 1, 1), impl);
        assertThat(out.getDouble(0, 0, 0, 0)).isCloseTo(0.399384, within(1e-5));
        assertThat(out.getDouble(0, 2, 0, 0)).isCloseTo(0.661950, within(1e-5));
        // Map 4 sums a2..a4: 9 + 16 + 25 = 50 -> 5 / 7^0.75 = 1.161840...
        assertThat(out.getDouble(0, 4, 0, 0)).isCloseTo(1.161840, within(1e-5));
    }

    @ParameterizedTest
    @EnumSource(LayerImplementation.class)
    void dividedByNConventionScalesAlphaByOneOverN(LayerImplementation impl) {
        // Same input, alpha written Caffe's way: 0.5 / 5 = 0.1 on the sum, so the same numbers as above.
        LrnSpec caffe = new LrnSpec(5, 2.0, 0.5, 0.75, LrnSpec.AlphaConvention.DIVIDED_BY_N);
        assertThat(caffe.alphaOnSum()).isEqualTo(0.1);
        INDArray out = lrn(caffe, Nd4j.createFromArray(new float[] {1, 2, 3, 4, 5}).reshape(1, 5, 1, 1), impl);
        assertThat(out.getDouble(0, 0, 0, 0)).isCloseTo(0.399384, within(1e-5));
    }

    @ParameterizedTest
    @EnumSource(LayerImplementation.class)
    void thePapersValuesBarelyTouchSmallActivations(LayerImplementation impl) {
        // With alpha = 1e-4 and k = 2, the divisor is ~2^0.75 = 1.6818 for small inputs.
        INDArray out = lrn(LrnSpec.paper(), Nd4j.createFromArray(new float[] {1, 1, 1, 1, 1}).reshape(1, 5, 1, 1), impl);
        assertThat(out.getDouble(0, 2, 0, 0)).isCloseTo(1 / Math.pow(2 + 1e-4 * 5, 0.75), within(1e-6));
    }

    private static INDArray lrn(LrnSpec spec, INDArray input, LayerImplementation impl) {
        LocalResponseNormalization conf = impl == LayerImplementation.NATIVE
                ? new NativeLocalResponseNormalization(spec.n(), spec.k(), spec.alphaOnSum(), spec.beta())
                : new LocalResponseNormalization.Builder()
                .n(spec.n()).k(spec.k()).alpha(spec.alphaOnSum()).beta(spec.beta()).build();
        NeuralNetConfiguration nnc = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).layer(conf).build();
        Layer layer = conf.instantiate(nnc, null, 0, null, false, DataType.FLOAT);
        layer.setInput(input.castTo(DataType.FLOAT), LayerWorkspaceMgr.noWorkspaces());
        return layer.activate(false, LayerWorkspaceMgr.noWorkspaces());
    }
}
