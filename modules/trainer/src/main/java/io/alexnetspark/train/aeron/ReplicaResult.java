package io.alexnetspark.train.aeron;

import java.io.Serializable;

/**
 * What one replica did in one epoch.
 *
 * @param worker           replica (partition) id
 * @param meanLoss         mean training loss over its mini-batches
 * @param images           images it trained on
 * @param trainSeconds     time in fit()
 * @param averagingSeconds time pushing and waiting for averages
 * @param lastRound        the last round it completed
 * @param paramsCrc        CRC32 of its parameter bytes after the last average: equal on every replica
 * @param host             the executor's host
 * @param gpu              the GPU Spark assigned to the task and the replica ran on, or -1 (CPU)
 * @param momentum         the averaged momentum after the epoch (replica 0 only, when averaged), else null
 * @param params           the epoch's last average (replica 0 only, when the shards lived in the
 *                         executors and the driver has no server to read it from), else null
 * @param resets           times its loss or parameters became NaN/Inf and it was reset to the last average
 * @param missedRounds     rounds that closed by quorum without it (it adopted the newer average and went on)
 */
public record ReplicaResult(int worker, double meanLoss, long images, double trainSeconds, double averagingSeconds,
                            long lastRound, long paramsCrc, String host, int gpu, float[] momentum, float[] params,
                            int resets, int missedRounds)
        implements Serializable {
}
