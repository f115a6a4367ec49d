package io.alexnetspark.paramserver;

import java.time.Duration;
import java.util.Objects;

/**
 * The server's configuration.
 *
 * @param job          what server and workers share
 * @param quorum       Q, 1 <= Q <= W: complete pushes needed to close a round after its time-out
 * @param roundTimeout counted from a shard's first push of the round; after it a round closes as
 *                     soon as Q workers pushed all their chunks (before it: only when all W did)
 * @param aeron        embedded or external media driver
 */
public record ServerConfig(JobSpec job, int quorum, Duration roundTimeout, AeronSetup aeron) {

    public ServerConfig {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(roundTimeout, "roundTimeout");
        Objects.requireNonNull(aeron, "aeron");
        if (quorum < 1 || quorum > job.workers()) {
            throw new IllegalArgumentException("quorum must be in [1, " + job.workers() + "], got " + quorum);
        }
        if (roundTimeout.isNegative()) {
            throw new IllegalArgumentException("round time-out must not be negative");
        }
    }
}
