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
 */
public record CheckpointState(int epoch, long round, long iterations, long seed, PlateauSchedule.State plateau,
                              String configHash, String config, String manifestId, String modelSha256) {

    /** The same state with the model's checksum filled in. */
    public CheckpointState withModelSha256(String sha) {
        return new CheckpointState(epoch, round, iterations, seed, plateau, configHash, config, manifestId, sha);
    }
}
