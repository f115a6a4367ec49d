package io.alexnetspark.train;

import io.alexnetspark.model.train.PlateauSchedule;

/**
 * Where training stood when a checkpoint was written: enough, with the model and updater state
 * beside it, to resume at the same position of the schedule.
 *
 * @param epoch          epochs completed (the next epoch to run)
 * @param round          averaging rounds completed
 * @param iterations     mini-batch iterations completed per replica
 * @param seed           the run's base seed (epoch e reseeds with seed + e)
 * @param plateau        the plateau schedule's position, or null for the step schedule
 * @param configHash     SHA-256 of the effective configuration
 * @param config         the effective configuration (HOCON), for reproduction
 * @param manifestId     the training data's manifest identity
 * @param modelSha256    SHA-256 of model.zip, verified on load
 * @param roundsIntoEpoch 0 for a checkpoint between epochs; else a round-level checkpoint written during
 *                       epoch {@code epoch + 1} ({@code job.checkpoint-every-rounds}): the model is the
 *                       average after this many of that epoch's averaging rounds, and a resume skips them
 * @param replicas       the replicas that trained those rounds (a resume within the epoch needs as many:
 *                       the shard deal depends on it); 0 for a checkpoint between epochs
 * @param runId          the run that wrote it ({@link RunIdentity#runId()}); null before runs had ids
 */
public record CheckpointState(int epoch, long round, long iterations, long seed, PlateauSchedule.State plateau,
                              String configHash, String config, String manifestId, String modelSha256,
                              int roundsIntoEpoch, int replicas, String runId) {

    /** A checkpoint within an epoch, not yet stamped by its store. */
    public CheckpointState(int epoch, long round, long iterations, long seed, PlateauSchedule.State plateau,
                           String configHash, String config, String manifestId, String modelSha256,
                           int roundsIntoEpoch, int replicas) {
        this(epoch, round, iterations, seed, plateau, configHash, config, manifestId, modelSha256, roundsIntoEpoch,
                replicas, null);
    }

    /** A checkpoint between epochs. */
    public CheckpointState(int epoch, long round, long iterations, long seed, PlateauSchedule.State plateau,
                           String configHash, String config, String manifestId, String modelSha256) {
        this(epoch, round, iterations, seed, plateau, configHash, config, manifestId, modelSha256, 0, 0);
    }

    /** The same state with the model's checksum filled in. */
    public CheckpointState withModelSha256(String sha) {
        return new CheckpointState(epoch, round, iterations, seed, plateau, configHash, config, manifestId, sha,
                roundsIntoEpoch, replicas, runId);
    }

    /** The same state stamped with the run that writes it. */
    public CheckpointState writtenBy(String run) {
        return new CheckpointState(epoch, round, iterations, seed, plateau, configHash, config, manifestId, modelSha256,
                roundsIntoEpoch, replicas, run);
    }

    /** Whether this is a round-level checkpoint written in the middle of an epoch. */
    public boolean withinEpoch() {
        return roundsIntoEpoch > 0;
    }
}
