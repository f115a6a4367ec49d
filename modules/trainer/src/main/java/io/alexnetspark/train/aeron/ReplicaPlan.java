package io.alexnetspark.train.aeron;

import io.alexnetspark.data.pipeline.PipelineSettings;

import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;

/**
 * What every replica of one epoch's barrier stage needs, shipped with the task.
 *
 * @param networkJson   the network's configuration (DL4J JSON)
 * @param serverAeronDir the driver's Aeron directory when replicas run in the driver's JVM (IPC), else null
 * @param tau           local mini-batches between averaging rounds
 * @param rounds        averaging rounds every replica runs this epoch
 * @param firstRound    the first round number of this epoch
 * @param epoch         0-based epoch (the pipeline's shuffles follow it)
 * @param learningRate  this epoch's learning rate
 * @param pipeline      the training input pipeline
 * @param classNames    class names in label order
 * @param awaitTimeout  how long a replica waits for an average before failing the stage
 * @param momentum      the replicas' averaged momentum (updater state) at the end of the last epoch,
 *                      or null to start from zero momentum (the first epoch, or averaging it is off)
 * @param averageMomentum whether the replicas average their momentum in the epoch's last round
 * @param executorShards  when the server is not in the driver, what the replicas need; null when it is
 * @param skipBatches   mini-batches at the start of each replica's epoch already in the server's average
 *                      (a resumed attempt): read past without decoding or training
 * @param attempt       1 for an epoch's first attempt
 */
public record ReplicaPlan(String networkJson, String serverAeronDir, int tau, int rounds, long firstRound,
                          int epoch, double learningRate, PipelineSettings pipeline, List<String> classNames,
                          Duration awaitTimeout, Broadcast<float[]> momentum, boolean averageMomentum,
                          ExecutorShards executorShards, long skipBatches, int attempt)
        implements Serializable {

    /**
     * The server is not in the driver: either every replica serves one shard itself
     * ({@code paramserver.placement = executors}) or the shards run on a dedicated node ({@code external}),
     * which the driver has seeded as round {@code firstRound} already.
     *
     * @param start        the epoch's starting parameters (the driver's copy), loaded by every replica; or
     *                     null: the replicas pull the server's latest average (a resumed attempt)
     * @param serveOwn     each replica serves the shard of its partition, seeded with {@code start} as
     *                     round {@code firstRound}
     * @param quorum       the own shards' quorum
     * @param roundTimeout the own shards' round time-out
     */
    public record ExecutorShards(Broadcast<float[]> start, boolean serveOwn, int quorum, Duration roundTimeout)
            implements Serializable {
    }
}
