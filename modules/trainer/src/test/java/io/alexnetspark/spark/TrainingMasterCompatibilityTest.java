package io.alexnetspark.spark;

import io.alexnetspark.TestNetworks;
import io.alexnetspark.train.EmbeddedDriverDirs;
import io.alexnetspark.model.AlexNetFactory;
import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.ConvSpec;
import io.alexnetspark.model.LrnSpec;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.layers.NativeConvolution;
import io.alexnetspark.model.layers.NativeLrn;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.transport.impl.StaticPortSupplier;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The native layers travel through both of DL4J's Spark training masters: the configuration is shipped to
 * the executors (Java serialisation of the broadcast, JSON for scoring), rebuilt there, trained,
 * and averaged back. Real Spark, local[2].
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TrainingMasterCompatibilityTest {

    private JavaSparkContext sc;

    @BeforeAll
    void startSpark() {
        sc = io.alexnetspark.LocalSpark.context();
    }

    private static ComputationGraphConfiguration smallNativeNetwork() {
        return TestNetworks.smallFactory().configuration();
    }

    @Test
    void parameterAveragingTrainsTheNativeLayerNetwork() {
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(8)
                .batchSizePerWorker(8)
                .averagingFrequency(2)
                .workerPrefetchNumBatches(0)
                .build();
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, smallNativeNetwork(), master);
        INDArray before = sparkNet.getNetwork().params().dup();
        JavaRDD<DataSet> data = sc.parallelize(randomBatches(), 2);
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

    /**
     * DL4J's gradient sharing over Aeron, with the facts DESIGN.md measured: the Direct RDD
     * approach and a port supplier that gives the same port on every call. Its embedded media
     * drivers leave aeron-root-* folders in /dev/shm even after a clean exit: removed at exit, as the
     * product does ({@link EmbeddedDriverDirs}).
     */
    @Test
    void gradientSharingTrainsTheNativeLayerNetwork() throws IOException {
        EmbeddedDriverDirs.snapshot().deleteAtExit();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        VoidConfiguration voidConf = VoidConfiguration.builder()
                .controllerAddress("127.0.0.1")
                .portSupplier(new StaticPortSupplier(port))
                .build();
        SharedTrainingMaster master = new SharedTrainingMaster.Builder(voidConf, 8)
                .batchSizePerWorker(8)
                .workersPerNode(1)
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .thresholdAlgorithm(new AdaptiveThresholdAlgorithm(1e-3))
                .build();
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, smallNativeNetwork(), master);
        INDArray before = sparkNet.getNetwork().params().dup();
        ComputationGraph trained = sparkNet.fit(sc.parallelize(randomBatches(), 2));
        assertThat(trained.getLayer("conv3_a")).isInstanceOf(NativeConvolution.class);
        INDArray after = trained.params();
        assertThat(after.isNaN().any() || after.isInfinite().any()).isFalse();
        assertThat(after.sub(before).norm2Number().doubleValue()).isGreaterThan(0);
    }

    private static List<DataSet> randomBatches() {
        return TestNetworks.randomBatches(8, 8, 9);
    }
}
