package io.alexnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.linalg.dataset.DataSet;

import java.util.function.IntFunction;

/**
 * The sync modes that use DL4J's own Spark training masters: {@code spark-averaging}
 * (ParameterAveragingTrainingMaster: parameters averaged through Spark every few batches) and
 * {@code dl4j-gradient-sharing} (SharedTrainingMaster: thresholded gradients over DL4J's Aeron
 * mesh). They train the same network from the same data as our Aeron averaging, for comparison
 * and as fallbacks.
 */
public final class Dl4jMasterTrainer implements EpochTrainer {

    private final SparkComputationGraph spark;
    private final IntFunction<JavaRDD<DataSet>> epochData;
    private final int replicas;
    private final int batchPerReplica;
    private final long imagesPerEpoch;

    /**
     * @param network          the driver's network (initial or resumed parameters)
     * @param master           the DL4J training master
     * @param epochData        the training mini-batches of an epoch (reshuffled per epoch by the caller)
     * @param replicas         executors training in parallel
     * @param batchPerReplica  mini-batch size on each replica
     * @param imagesPerEpoch   training images in an epoch (from the manifest: counting the RDD would
     *                         decode the whole epoch once more)
     */
    public Dl4jMasterTrainer(JavaSparkContext sc, ComputationGraph network, TrainingMaster<?, ?> master,
                             IntFunction<JavaRDD<DataSet>> epochData, int replicas, int batchPerReplica,
                             long imagesPerEpoch) {
        this.spark = new SparkComputationGraph(sc, network, master);
        this.epochData = epochData;
        this.replicas = replicas;
        this.batchPerReplica = batchPerReplica;
        this.imagesPerEpoch = imagesPerEpoch;
    }

    /** For a configuration rather than a network. */
    public static ComputationGraph initialNetwork(ComputationGraphConfiguration conf) {
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    @Override
    public ComputationGraph network() {
        return spark.getNetwork();
    }

    @Override
    public EpochStats trainEpoch(int epoch, double learningRate) {
        spark.getNetwork().setLearningRate(learningRate);
        JavaRDD<DataSet> data = epochData.apply(epoch);
        long images = imagesPerEpoch;
        long start = System.nanoTime();
        spark.fit(data);
        double seconds = (System.nanoTime() - start) / 1e9;
        // DL4J's masters do not report how much of fit() was averaging: NaN says "not measured".
        // SharedTrainingMaster never sets the score (0.0); a softmax cross-entropy is never exactly 0,
        // so 0.0 means "not reported", which the metrics say as NaN rather than as a perfect loss.
        double score = spark.getScore();
        return new EpochStats(score == 0.0 ? Double.NaN : score, images, seconds, Double.NaN, replicas,
                replicas * batchPerReplica);
    }
}
