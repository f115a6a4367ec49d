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
 */
public record ReplicaResult(int worker, double meanLoss, long images, double trainSeconds, double averagingSeconds,
                            long lastRound, long paramsCrc) implements Serializable {
}
