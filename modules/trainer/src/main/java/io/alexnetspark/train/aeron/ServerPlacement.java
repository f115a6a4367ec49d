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
     * closed. The shards in the executors die with the stage; an external server keeps the failed
     * round's partial pushes, which this protocol cannot clear yet (see {@link External}).
     */
    boolean resumesWithinEpoch();

    /** Whether a stage may run with fewer replicas than {@code job.replicas}. */
    boolean resizable();

    /** The quorum rule ({@code replicas} and {@code timeout} for a server that has none of its own here). */
    Quorum quorum(int replicas, Duration timeout);

    /** Whether a failed stage can be tried again at all. */
    default boolean retryable() {
        return true;
    }

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
     * A failed stage is not tried again: its partial pushes stay in the server's open round, and
     * until the protocol can reset a round (issue 14: a seed message), a retry would mix them in.
     *
     * @param job         what the server was started with
     * @param latestRound the latest complete round it held when the job started (-1: none)
     */
    record External(JobSpec job, long latestRound) implements ServerPlacement {
        /** The server's quorum is its own (set at its start); the replicas' seeding round needs all of them. */
        @Override
        public Quorum quorum(int replicas, Duration timeout) {
            return new Quorum(replicas, replicas, timeout);
        }

        @Override
        public boolean resumesWithinEpoch() {
            return false;
        }

        @Override
        public boolean resizable() {
            return false;
        }

        @Override
        public boolean retryable() {
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
