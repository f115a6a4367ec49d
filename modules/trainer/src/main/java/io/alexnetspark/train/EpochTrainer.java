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

    /**
     * Where round-level checkpoints go ({@code job.checkpoint-every-rounds}): called during an epoch
     * with the average after {@code roundsIntoEpoch} of its rounds.
     */
    interface RoundCheckpoints {
        void save(int epoch, int roundsIntoEpoch, int replicas, float[] average) throws Exception;
    }

    /**
     * Asks for a round-level checkpoint every {@code everyRounds} rounds; a sync mode that cannot
     * write them says so in the log and writes none.
     */
    default void checkpointEveryRounds(int everyRounds, RoundCheckpoints sink) {
        if (everyRounds > 0) {
            org.slf4j.LoggerFactory.getLogger(EpochTrainer.class).warn("job.checkpoint-every-rounds = {}: this sync mode "
                    + "writes checkpoints between epochs only", everyRounds);
        }
    }

    /**
     * The next epoch continues a round-level checkpoint: its first {@code roundsIntoEpoch} rounds,
     * trained by {@code replicas} replicas, are in the network's parameters already.
     *
     * @throws IllegalStateException if this sync mode cannot continue within an epoch
     */
    default void resumeWithinEpoch(int roundsIntoEpoch, int replicas) {
        throw new IllegalStateException("this sync mode cannot resume in the middle of an epoch; resume from the "
                + "checkpoint between epochs (remove the round-level one, ckpt-*-r*)");
    }

    @Override
    default void close() throws Exception {
    }
}
