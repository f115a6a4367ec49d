package io.alexnetspark.paramserver;

import java.util.Objects;

/**
 * What server and workers must agree on: the job, its keys, the vector's shape and the channel.
 * The driver and the server hold the job's secret, from which every key is derived ({@link JobKeys});
 * each worker gets a copy holding only its own keys ({@link #forWorker}), shipped with its task,
 * never through logs ({@link #toString()} leaves keys out).
 *
 * @param jobId      identifies the run; messages of other jobs are dropped, and every key depends on it
 * @param secret     the job's secret (at least 16 bytes), copied; null in a worker's copy
 * @param workerKeys one worker's keys (a worker's copy), or null where the secret is held
 * @param floats     parameter vector length
 * @param workers    number of workers W, ids 0..W-1
 * @param shards     number of server shards S
 * @param chunkBytes largest payload per message (multiple of 4, below the max message length)
 * @param channel    transport and addresses
 * @param mac        the keyed MAC every message carries ({@link #DEFAULT_MAC} unless chosen)
 */
public record JobSpec(long jobId, byte[] secret, long floats, int workers, int shards, int chunkBytes, Channel channel,
                      MacAlgorithm mac, WorkerKeys workerKeys) implements java.io.Serializable {

    /**
     * The keys one worker holds: its pushes' and its averages' ({@link JobKeys#push},
     * {@link JobKeys#average}; over IPC both are the shared key).
     */
    public record WorkerKeys(int worker, byte[] push, byte[] average) implements java.io.Serializable {
        public WorkerKeys {
            push = push.clone();
            average = average.clone();
        }

        @Override
        public byte[] push() {
            return push.clone();
        }

        @Override
        public byte[] average() {
            return average.clone();
        }

        @Override
        public String toString() {
            return "WorkerKeys[worker=" + worker + ", <redacted>]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof WorkerKeys k && worker == k.worker && java.util.Arrays.equals(push, k.push)
                && java.util.Arrays.equals(average, k.average);
        }

        @Override
        public int hashCode() {
            return worker;
        }
    }

    /** A job whose secret this process holds (server, driver). */
    public JobSpec(long jobId, byte[] secret, long floats, int workers, int shards, int chunkBytes, Channel channel,
                   MacAlgorithm mac) {
        this(jobId, secret, floats, workers, shards, chunkBytes, channel, mac, null);
    }

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
        if ((secret == null) == (workerKeys == null)) {
            throw new IllegalArgumentException("a job holds either its secret or one worker's keys");
        }
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(mac, "mac");
        if (secret != null && secret.length < 16) {
            throw new IllegalArgumentException("secret must be at least 16 bytes");
        }
        if (workerKeys != null && (workerKeys.worker() < 0 || workerKeys.worker() > workers)) {
            throw new IllegalArgumentException("keys of worker " + workerKeys.worker() + " for " + workers + " workers");
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
        secret = secret == null ? null : secret.clone();
        new ShardLayout(floats, shards, chunkBytes); // validates the shape
    }

    /**
     * The job's secret.
     *
     * @throws IllegalStateException in a worker's copy, which holds only that worker's keys
     */
    @Override
    public byte[] secret() {
        if (secret == null) {
            throw new IllegalStateException("this copy of job " + jobId + " holds worker " + workerKeys.worker()
                + "'s keys only, not the job's secret");
        }
        return secret.clone();
    }

    /** Whether this copy holds the secret (server, driver) rather than one worker's keys. */
    public boolean holdsSecret() {
        return secret != null;
    }

    /**
     * Whether each worker has keys of its own. Over UDP it does: workers run in other processes on
     * other hosts. Over IPC every worker and the server are in one process of one user, where
     * per-worker keys would protect nothing, so all share one key ({@link JobKeys#shared}).
     */
    public boolean perWorkerKeys() {
        return channel.transport() == Channel.Transport.UDP;
    }

    /** The copy of this job for worker {@code w}'s task: its own keys, not the secret. */
    public JobSpec forWorker(int worker) {
        return new JobSpec(jobId, null, floats, workers, shards, chunkBytes, channel, mac, keysOf(worker));
    }

    /**
     * The id the job's driver uses to talk to the server (queries, PULLs, SEEDs): one past the last
     * worker, so that the driver never takes a worker's place (nor its averages stream). Its push key
     * is the control key.
     */
    public int driverId() {
        return workers;
    }

    /** Worker {@code w}'s keys (or the driver's, {@link #driverId()}): from the secret, or this copy's own. */
    public WorkerKeys keysOf(int worker) {
        if (worker == driverId()) {
            byte[] average = perWorkerKeys() ? JobKeys.average(secret(), jobId, worker) : JobKeys.shared(secret(), jobId);
            return new WorkerKeys(worker, controlKey(), average);
        }
        if (secret == null) {
            if (workerKeys.worker() != worker) {
                throw new IllegalStateException("this copy holds worker " + workerKeys.worker() + "'s keys, not worker " + worker + "'s");
            }
            return workerKeys;
        }
        if (!perWorkerKeys()) {
            byte[] shared = JobKeys.shared(secret, jobId);
            return new WorkerKeys(worker, shared, shared);
        }
        return new WorkerKeys(worker, JobKeys.push(secret, jobId, worker), JobKeys.average(secret, jobId, worker));
    }

    /** The key of what only the secret's holders may send (SEED). */
    public byte[] controlKey() {
        return perWorkerKeys() ? JobKeys.control(secret(), jobId) : JobKeys.shared(secret(), jobId);
    }

    /** The same job with another MAC. */
    public JobSpec withMac(MacAlgorithm algorithm) {
        return new JobSpec(jobId, secret, floats, workers, shards, chunkBytes, channel, algorithm, workerKeys);
    }

    /** The same job under another id (a dedicated server's run, see {@code ServerLobby}): every key changes with it. */
    public JobSpec withJobId(long id) {
        return new JobSpec(id, secret(), floats, workers, shards, chunkBytes, channel, mac, null);
    }

    /** The same job over another channel (e.g. once the shards' hosts are known). */
    public JobSpec withChannel(Channel other) {
        if (secret == null && other.transport() != channel.transport()) {
            throw new IllegalStateException("a worker's copy cannot change transport: its keys depend on it");
        }
        return new JobSpec(jobId, secret, floats, workers, shards, chunkBytes, other, mac, workerKeys);
    }

    public ShardLayout layout() {
        return new ShardLayout(floats, shards, chunkBytes);
    }

    @Override
    public String toString() {
        return "JobSpec[jobId=" + jobId + (secret != null ? ", secret=<redacted>" : ", keys of worker " + workerKeys.worker())
            + ", floats=" + floats + ", workers=" + workers
            + ", shards=" + shards + ", chunkBytes=" + chunkBytes + ", channel=" + channel + ", mac=" + mac + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof JobSpec j && jobId == j.jobId && java.util.Arrays.equals(secret, j.secret) && floats == j.floats
            && workers == j.workers && shards == j.shards && chunkBytes == j.chunkBytes && channel.equals(j.channel)
            && mac == j.mac && Objects.equals(workerKeys, j.workerKeys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, floats, workers, shards, chunkBytes, channel, mac);
    }
}
