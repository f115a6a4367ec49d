package io.alexnetspark.paramserver;

import java.util.Objects;

/**
 * What server and workers must agree on: the job, its secret, the vector's shape and the channel.
 * The driver creates one and ships it to the executors (the secret through the Spark job, never
 * through logs: {@link #toString()} leaves it out).
 *
 * @param jobId      identifies the run; messages of other jobs are dropped
 * @param secret     HMAC-SHA256 key (at least 16 bytes), copied
 * @param floats     parameter vector length
 * @param workers    number of workers W, ids 0..W-1
 * @param shards     number of server shards S
 * @param chunkBytes largest payload per message (multiple of 4, below the max message length)
 * @param channel    transport and addresses
 * @param mac        the keyed MAC every message carries ({@link #DEFAULT_MAC} unless chosen)
 */
public record JobSpec(long jobId, byte[] secret, long floats, int workers, int shards, int chunkBytes, Channel channel,
                      MacAlgorithm mac) implements java.io.Serializable {

    /**
     * 256 KB chunks: 5 MTU-sized fragments, so a chunk stays in L2 from reassembly through the CRC,
     * MAC, finite check and averaging; 5-8% faster rounds over IPC than 2 MB here (BENCHMARKS.md, section 3).
     */
    public static final int DEFAULT_CHUNK_BYTES = 256 * 1024;

    /** AES-GCM tags: 4-5x cheaper per byte than HMAC-SHA256 here (see {@link MacAlgorithm}). */
    public static final MacAlgorithm DEFAULT_MAC = MacAlgorithm.AES_GCM;

    /** A job with the {@link #DEFAULT_MAC}. */
    public JobSpec(long jobId, byte[] secret, long floats, int workers, int shards, int chunkBytes, Channel channel) {
        this(jobId, secret, floats, workers, shards, chunkBytes, channel, DEFAULT_MAC);
    }

    public JobSpec {
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(mac, "mac");
        if (secret.length < 16) {
            throw new IllegalArgumentException("secret must be at least 16 bytes");
        }
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        int maxMessage = Math.min(channel.termLength() / 8, 16 * 1024 * 1024);
        if (chunkBytes + MessageHeader.LENGTH > maxMessage) {
            throw new IllegalArgumentException("chunk of " + chunkBytes + " bytes + header exceeds the max message length "
                + maxMessage + " of term length " + channel.termLength());
        }
        if (!channel.shardHosts().isEmpty() && channel.shardHosts().size() != shards) {
            throw new IllegalArgumentException(channel.shardHosts().size() + " shard hosts for " + shards + " shards");
        }
        secret = secret.clone();
        new ShardLayout(floats, shards, chunkBytes); // validates the shape
    }

    @Override
    public byte[] secret() {
        return secret.clone();
    }

    /** The same job with another MAC. */
    public JobSpec withMac(MacAlgorithm algorithm) {
        return new JobSpec(jobId, secret, floats, workers, shards, chunkBytes, channel, algorithm);
    }

    /** The same job over another channel (e.g. once the shards' hosts are known). */
    public JobSpec withChannel(Channel other) {
        return new JobSpec(jobId, secret, floats, workers, shards, chunkBytes, other, mac);
    }

    public ShardLayout layout() {
        return new ShardLayout(floats, shards, chunkBytes);
    }

    @Override
    public String toString() {
        return "JobSpec[jobId=" + jobId + ", secret=<redacted>, floats=" + floats + ", workers=" + workers
            + ", shards=" + shards + ", chunkBytes=" + chunkBytes + ", channel=" + channel + ", mac=" + mac + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobSpec j && jobId == j.jobId && java.util.Arrays.equals(secret, j.secret) && floats == j.floats
            && workers == j.workers && shards == j.shards && chunkBytes == j.chunkBytes && channel.equals(j.channel)
            && mac == j.mac;
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, floats, workers, shards, chunkBytes, channel, mac);
    }
}
