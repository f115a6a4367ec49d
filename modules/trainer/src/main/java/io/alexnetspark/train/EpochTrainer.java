package io.alexnetspark.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Trains one epoch of the distributed job in one sync mode. The driver's network holds the
 * parameters before the call and the trained (averaged) parameters after it.
 */
public interface EpochTrainer extends AutoCloseable {

    /** What one epoch of training measured. */
    record EpochStats(double meanLoss, long images, double seconds, double averagingSeconds, int replicas,
                      int globalBatch, java.util.List<io.alexnetspark.train.EpochAttempt> attempts, int replicaResets,
                      int missedRounds) {

        /** An epoch of one attempt that went through, with nothing reset or missed. */
        public EpochStats(double meanLoss, long images, double seconds, double averagingSeconds, int replicas, int globalBatch) {
            this(meanLoss, images, seconds, averagingSeconds, replicas, globalBatch, java.util.List.of(), 0, 0);
        }
    }

    /** The network whose parameters the trainer reads and updates (the driver's copy). */
    ComputationGraph network();

    /**
     * Trains epoch {@code epoch} (0-based) at learning rate {@code learningRate}.
     */
    EpochStats trainEpoch(int epoch, double learningRate) throws Exception;

    @Override
    default void close() throws Exception {
    }
}
