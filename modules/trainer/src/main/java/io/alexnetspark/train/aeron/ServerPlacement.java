package io.alexnetspark.train.aeron;

import io.alexnetspark.paramserver.Channel;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.MacAlgorithm;

import java.security.SecureRandom;
import java.time.Duration;

/**
 * Where the parameter server of {@code aeron-averaging} runs ({@code paramserver.placement}), and
 * what that means for an epoch's stage and for retrying it. One type, so that the trainer's retry
 * and re-planning decide in one place.
 */
public sealed interface ServerPlacement {

    /**
     * Whether the server outlives a failed stage, so that a retry can resume from the last round it
     * closed. The shards in the executors die with the stage.
     */
    boolean resumesWithinEpoch();

    /** Whether a stage may run with fewer replicas than {@code job.replicas}. */
    boolean resizable();

    /** The quorum rule ({@code replicas} and {@code timeout} for a server that has none of its own here). */
    Quorum quorum(int replicas, Duration timeout);

    /**
     * Embedded in the driver: the driver starts one server incarnation (a fresh job id and secret)
     * for the run, and a new one after a failed stage, seeded with the old one's last average, so
     * that nothing the failed stage pushed can reach a later round.
     *
     * @param template the job every incarnation shares, but for id, secret and worker count
     * @param ipc      replicas share the driver's JVM (a local master): they reach it over IPC
     * @param quorum   the quorum rule
     */
    record InDriver(JobTemplate template, boolean ipc, Quorum quorum) implements ServerPlacement {
        @Override
        public Quorum quorum(int replicas, Duration timeout) {
            return quorum;
        }

        @Override
        public boolean resumesWithinEpoch() {
            return true;
        }

        @Override
        public boolean resizable() {
            return true;
        }
    }

    /**
     * One shard beside every replica (S = N), for the length of one stage: each attempt is a new
     * incarnation (fresh id and secret) seeded with the driver's copy; a failed attempt restarts
     * the epoch from it.
     */
    record InExecutors(JobTemplate template, Quorum quorum) implements ServerPlacement {
        @Override
        public Quorum quorum(int replicas, Duration timeout) {
            return quorum;
        }

        @Override
        public boolean resumesWithinEpoch() {
            return false;
        }

        @Override
        public boolean resizable() {
            return true;
        }
    }

    /**
     * A server on a dedicated node, started for this job with a fixed worker count, id and secret.
     * Before every attempt the driver asks it for its round and incarnation and seeds it (a SEED
     * message under a new round number, which also drops a failed stage's partial pushes): with the
     * epoch's start, or, to resume, with its own latest average. A restarted server (a new
     * incarnation) is re-seeded from the driver's copy and the epoch restarts.
     *
     * @param job      what the server was started with
     * @param bindHost the driver's address, where the server's answers come back
     * @param timeout  how long the driver waits for them
     */
    record External(JobSpec job, String bindHost, Duration timeout) implements ServerPlacement {
        /** The server's quorum is its own (set at its start). */
        @Override
        public Quorum quorum(int replicas, Duration timeout) {
            return new Quorum(replicas, replicas, timeout);
        }

        @Override
        public boolean resumesWithinEpoch() {
            return true;
        }

        @Override
        public boolean resizable() {
            return false;
        }
    }

    /**
     * What every incarnation of a job-owned server shares.
     *
     * @param floats  the parameter vector's length
     * @param shards  shards of the vector (in the executors: one per replica, whatever this says)
     * @param channel where it is reached
     * @param mac     the message authentication
     */
    record JobTemplate(long floats, int shards, Channel channel, MacAlgorithm mac) {

        /** A new incarnation for {@code workers} replicas: a fresh random job id and 32-byte secret. */
        public JobSpec incarnation(int workers, int shardCount) {
            SecureRandom random = new SecureRandom();
            byte[] secret = new byte[32];
            random.nextBytes(secret);
            return new JobSpec(random.nextLong(), secret, floats, workers, shardCount, JobSpec.DEFAULT_CHUNK_BYTES, channel)
                    .withMac(mac);
        }
    }

    /**
     * How many complete pushes close a round after its time-out, for a stage of any size: the
     * configured quorum of {@code job.replicas}, as the same number of replicas that may be missing.
     *
     * @param replicas     {@code job.replicas}
     * @param quorum       {@code paramserver.quorum} (resolved: 0 became replicas)
     * @param roundTimeout {@code paramserver.round-timeout}
     */
    record Quorum(int replicas, int quorum, Duration roundTimeout) {
        public int forWorkers(int workers) {
            return Math.max(1, workers - (replicas - quorum));
        }
    }
}
