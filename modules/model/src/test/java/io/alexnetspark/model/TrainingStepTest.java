package io.alexnetspark.model;

import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import io.alexnetspark.model.layers.LayerImplementation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Forward and backward passes: finite, and the loss falls on a fixed batch. */
class TrainingStepTest {

    @ParameterizedTest
    @CsvSource({"ALEXNET_2012, NATIVE", "ALEXNET_SINGLE, NATIVE", "ALEXNET_SINGLE, DL4J"})
    void lossFallsOverAFewStepsOnAFixedBatch(AlexNetVariant variant, LayerImplementation layers) {
        ComputationGraph net = new AlexNetFactory(TestSpecs.small(variant, 4), TestSpecs.recipe(0.01),
                WorkspaceMode.ENABLED, layers).newNetwork();
        Nd4j.getRandom().setSeed(3);
        DataSet batch = batch(16, 32, 4, 1.0);
        List<Double> losses = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            net.fit(batch);
            losses.add(net.score());
        }
        assertThat(losses).allMatch(Double::isFinite);
        // Dropout makes single steps noisy: compare the first and last few.
        double first = losses.subList(0, 3).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(22, 25).stream().mapToDouble(d -> d).average().orElseThrow();
        assertThat(last).as("loss %s", losses).isLessThan(first * 0.8);
    }

    @Test
    void oneStepOfThePapersNetworkHasAFiniteLossAndGradient() {
        ComputationGraph net = new AlexNetFactory(ModelSpec.paper(AlexNetVariant.ALEXNET_2012), TrainingRecipe.paper(),
                WorkspaceMode.ENABLED, LayerImplementation.NATIVE).newNetwork();
        DataSet batch = batch(2, 227, 1000, 1.0);
        net.setInputs(batch.getFeatures());
        net.setLabels(batch.getLabels());
        net.computeGradientAndScore();
        assertThat(net.score()).isFinite();
        // A softmax over 1000 classes: rows sum to 1. Untrained, the cross-entropy is on the scale of
        // ln(1000) = 6.91; not exactly, as biases of 1 in fc6/fc7 keep activations near 1 and spread the logits.
        INDArray p = net.outputSingle(false, batch.getFeatures());
        assertThat(p.sum(1).getDouble(0)).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
        assertThat(p.minNumber().doubleValue()).isPositive();
        double crossEntropy = -Math.log(p.getDouble(0, 0)) / 2 - Math.log(p.getDouble(1, 1)) / 2;
        assertThat(crossEntropy).isBetween(Math.log(1000) - 3, Math.log(1000) + 3);
        // The training score adds the L2 term (and dropout noise): above the plain cross-entropy.
        assertThat(net.score()).isGreaterThan(crossEntropy);
        INDArray grad = net.gradient().gradient();
        assertThat(grad.length()).isEqualTo(60_965_224L);
        assertThat(Double.isFinite(grad.norm2Number().doubleValue())).isTrue();
        assertThat(grad.norm2Number().doubleValue()).isGreaterThan(0);
        // Every layer gets a gradient, conv1 included (nothing is cut off).
        for (String layer : new String[] {"conv1_a", "conv1_b", "conv3_a", "conv5_b", "fc6", "fc8"}) {
            assertThat(net.gradient().getGradientFor(layer + "_W").norm2Number().doubleValue()).as(layer).isGreaterThan(0);
        }
    }

    /** Gaussian inputs of the given scale (the paper feeds raw pixels minus the mean: tens to +-128). */
    private static DataSet batch(int n, int size, int classes, double scale) {
        INDArray x = Nd4j.randn(DataType.FLOAT, n, 3, size, size).muli(scale);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, classes);
        for (int i = 0; i < n; i++) {
            y.putScalar(i, i % classes, 1.0);
        }
        return new DataSet(x, y);
    }
}
