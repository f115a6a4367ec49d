package io.alexnetspark.model;

import io.alexnetspark.model.describe.ArchitectureTable;
import io.alexnetspark.model.describe.LayerRow;
import io.alexnetspark.model.train.ClassicMomentum;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The DL4J networks built from the paper's spec: sizes, shapes, initialisation, real tower grouping. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlexNetFactoryTest {

    private ComputationGraph twoTowers;
    private ComputationGraph single;

    @BeforeAll
    void buildThePapersNetworks() {
        twoTowers = factory(ModelSpec.paper(AlexNetVariant.ALEXNET_2012)).newNetwork();
        single = factory(ModelSpec.paper(AlexNetVariant.ALEXNET_SINGLE)).newNetwork();
    }

    @AfterAll
    void release() {
        twoTowers = null;
        single = null;
        System.gc();
    }

    private static AlexNetFactory factory(ModelSpec spec) {
        return new AlexNetFactory(spec, TrainingRecipe.paper(), WorkspaceMode.ENABLED,
                io.alexnetspark.model.layers.LayerImplementation.NATIVE);
    }

    @Test
    void dl4jParameterCountsAreThePapers() {
        assertThat(twoTowers.numParams()).isEqualTo(60_965_224L);
        assertThat(single.numParams()).isEqualTo(62_378_344L);
    }

    @Test
    void dl4jLayerShapesAndParametersMatchTheArchitectureTable() {
        for (ComputationGraph net : List.of(twoTowers, single)) {
            ComputationGraphConfiguration conf = net.getConfiguration();
            Map<String, InputType> types = conf.getLayerActivationTypes(InputType.convolutional(227, 227, 3));
            boolean towers = net.getVertex("conv1_a") != null;
            ArchitectureTable table = new ArchitectureTable(ModelSpec.paper(
                    towers ? AlexNetVariant.ALEXNET_2012 : AlexNetVariant.ALEXNET_SINGLE));
            for (LayerRow row : table.rows()) {
                if (row.kind().equals("input")) {
                    continue;
                }
                List<String> vertices = towers && !row.name().startsWith("fc")
                        ? List.of(row.name() + "_a", row.name() + "_b") : List.of(row.name());
                long channels = 0;
                long params = 0;
                for (String v : vertices) {
                    InputType t = types.get(v);
                    assertThat(t).as(v).isNotNull();
                    if (t instanceof InputType.InputTypeConvolutional c) {
                        assertThat(c.getHeight()).as(v + " height").isEqualTo(row.height());
                        assertThat(c.getWidth()).as(v + " width").isEqualTo(row.width());
                        channels += c.getChannels();
                    } else {
                        channels += ((InputType.InputTypeFeedForward) t).getSize();
                    }
                    params += net.getLayer(v).numParams();
                }
                assertThat(channels).as(row.name() + " channels").isEqualTo(row.channels());
                assertThat(params).as(row.name() + " parameters").isEqualTo(row.parameters());
            }
        }
    }

    @Test
    void initialisationIsThePapers() {
        ModelSpec spec = ModelSpec.paper(AlexNetVariant.ALEXNET_2012);
        for (Layer layer : twoTowers.getLayers()) {
            String name = layer.conf().getLayer().getLayerName();
            INDArray w = layer.getParam("W");
            if (w == null) {
                continue; // LRN, pooling
            }
            // Gaussian weights: mean 0, std 0.01 (many thousands of samples: tight bounds).
            assertThat(w.meanNumber().doubleValue()).as(name + " mean").isCloseTo(0.0, within(1e-3));
            assertThat(w.stdNumber().doubleValue()).as(name + " std").isCloseTo(0.01, within(5e-4));
            String paperName = name.replace("_a", "").replace("_b", "");
            double expectedBias = spec.initialBias(paperName);
            INDArray b = layer.getParam("b");
            assertThat(b.minNumber().doubleValue()).as(name + " bias").isEqualTo(expectedBias);
            assertThat(b.maxNumber().doubleValue()).as(name + " bias").isEqualTo(expectedBias);
        }
        assertThat(spec.initialBias("conv2")).isEqualTo(1.0);
        assertThat(spec.initialBias("conv3")).isEqualTo(0.0);
        assertThat(spec.initialBias("fc7")).isEqualTo(1.0);
        assertThat(spec.initialBias("fc8")).isEqualTo(0.0);
    }

    @Test
    void theTowersAreReallyGrouped() {
        ComputationGraph net = twoTowers.clone();
        INDArray x = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 1, 3, 227, 227);
        Map<String, INDArray> before = activations(net, x);

        // conv1_b's maps feed only tower b's conv2: tower a's conv2 must not move, conv3 (sees both) must.
        INDArray w1b = net.getLayer("conv1_b").getParam("W");
        w1b.addi(Nd4j.randn(w1b.dataType(), w1b.shape()).muli(0.05));
        Map<String, INDArray> afterConv1 = activations(net, x);
        assertThat(afterConv1.get("conv2_a")).isEqualTo(before.get("conv2_a"));
        assertThat(afterConv1.get("conv2_b")).isNotEqualTo(before.get("conv2_b"));
        assertThat(afterConv1.get("conv3_a")).isNotEqualTo(before.get("conv3_a"));

        // conv3_b feeds only tower b's conv4 and conv5.
        INDArray w3b = net.getLayer("conv3_b").getParam("W");
        w3b.addi(Nd4j.randn(w3b.dataType(), w3b.shape()).muli(0.05));
        Map<String, INDArray> afterConv3 = activations(net, x);
        assertThat(afterConv3.get("conv4_a")).isEqualTo(afterConv1.get("conv4_a"));
        assertThat(afterConv3.get("conv5_a")).isEqualTo(afterConv1.get("conv5_a"));
        assertThat(afterConv3.get("conv4_b")).isNotEqualTo(afterConv1.get("conv4_b"));
        assertThat(afterConv3.get("fc6")).isNotEqualTo(afterConv1.get("fc6"));
    }

    @Test
    void configurationSurvivesJsonIncludingTheMomentumUpdater() {
        ComputationGraphConfiguration conf = twoTowers.getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertThat(back).isEqualTo(conf);
        var vertex = (org.deeplearning4j.nn.conf.graph.LayerVertex) back.getVertices().get("conv2_a");
        var layer = (org.deeplearning4j.nn.conf.layers.BaseLayer) vertex.getLayerConf().getLayer();
        assertThat(layer.getIUpdater()).isEqualTo(new ClassicMomentum(0.01, 0.9));
    }

    private static Map<String, INDArray> activations(ComputationGraph net, INDArray x) {
        Map<String, INDArray> acts = net.feedForward(x, false);
        acts.replaceAll((k, v) -> v.dup());
        return acts;
    }
}
