package io.alexnetspark.spark;

import io.alexnetspark.model.AlexNetFactory;
import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.ConvSpec;
import io.alexnetspark.model.LrnSpec;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.layers.NativeConvolution;
import io.alexnetspark.model.layers.NativeLrn;
import io.alexnetspark.model.train.TrainingRecipe;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native layers travel through DL4J's Spark training master: the configuration is shipped to
 * the executors (Java serialisation of the broadcast, JSON for scoring), rebuilt there, trained,
 * and averaged back. Real Spark, local[2].
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingMasterCompatibilityTest {

    private JavaSparkContext sc;

    @BeforeAll
    void startSpark() {
        sc = new JavaSparkContext(new SparkConf()
                .setMaster("local[2]")
                .setAppName("training-master-compatibility")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.ui.enabled", "false"));
    }

    @AfterAll
    void stopSpark() {
        if (sc != null) {
            sc.stop();
        }
    }

    @Test
    void parameterAveragingTrainsTheNativeLayerNetwork() {
        ModelSpec spec = new ModelSpec(AlexNetVariant.ALEXNET_2012, 32, 32, 3, 4,
                List.of(new ConvSpec(8, 5, 1, 2), new ConvSpec(16, 5, 1, 2), new ConvSpec(16, 3, 1, 1),
                        new ConvSpec(16, 3, 1, 1), new ConvSpec(8, 3, 1, 1)),
                3, 2, 32, 0.5, LrnSpec.paper(), 0.08, Set.of("conv2", "conv4", "conv5", "fc6", "fc7"));
        var conf = new AlexNetFactory(spec, TrainingRecipe.paper(), WorkspaceMode.ENABLED, LayerImplementation.NATIVE)
                .configuration();
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(8)
                .batchSizePerWorker(8)
                .averagingFrequency(2)
                .workerPrefetchNumBatches(0)
                .build();
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, conf, master);
        INDArray before = sparkNet.getNetwork().params().dup();

        Nd4j.getRandom().setSeed(9);
        List<DataSet> batches = new ArrayList<>();
        for (int b = 0; b < 8; b++) {
            INDArray x = Nd4j.randn(DataType.FLOAT, 8, 3, 32, 32);
            INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 4);
            for (int i = 0; i < 8; i++) {
                y.putScalar(i, (b + i) % 4, 1.0);
            }
            batches.add(new DataSet(x, y));
        }
        JavaRDD<DataSet> data = sc.parallelize(batches, 2);
        ComputationGraph trained = sparkNet.fit(data);

        assertThat(trained.getLayer("conv2_a")).isInstanceOf(NativeConvolution.class);
        assertThat(trained.getLayer("lrn1_b")).isInstanceOf(NativeLrn.class);
        INDArray after = trained.params();
        assertThat(after.isNaN().any() || after.isInfinite().any()).isFalse();
        assertThat(after.sub(before).norm2Number().doubleValue()).isGreaterThan(0);
        assertThat(sparkNet.getScore()).isFinite();
        // Scoring broadcasts the configuration as JSON and rebuilds it on the executors.
        assertThat(sparkNet.calculateScore(data, true)).isFinite();
    }
}
