package io.alexnetspark.paramserver;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The server's configuration.
 *
 * @param job          what server and workers share
 * @param quorum       Q, 1 <= Q <= W: complete pushes needed to close a round after its time-out
 * @param roundTimeout counted from a shard's first push of the round; after it a round closes as
 *                     soon as Q workers pushed all their chunks (before it: only when all W did)
 * @param aeron        embedded or external media driver
 * @param servedShards the shards this server runs (empty: all of them); the others are served by
 *                     other processes, possibly on other hosts (see {@link Channel#withShardHosts})
 */
public record ServerConfig(JobSpec job, int quorum, Duration roundTimeout, AeronSetup aeron, List<Integer> servedShards) {

    /** A server running every shard. */
    public ServerConfig(JobSpec job, int quorum, Duration roundTimeout, AeronSetup aeron) {
        this(job, quorum, roundTimeout, aeron, List.of());
    }

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
        servedShards = servedShards == null ? List.of() : List.copyOf(new TreeSet<>(servedShards));
        for (int s : servedShards) {
            if (s < 0 || s >= job.shards()) {
                throw new IllegalArgumentException("served shard " + s + " is not in [0, " + job.shards() + ")");
            }
        }
    }

    /** True if this server runs shard {@code s}. */
    public boolean serves(int shard) {
        return servedShards.isEmpty() || servedShards.contains(shard);
    }

    /** The same configuration serving only {@code shards}. */
    public ServerConfig serving(List<Integer> shards) {
        return new ServerConfig(job, quorum, roundTimeout, aeron, shards);
    }
}
