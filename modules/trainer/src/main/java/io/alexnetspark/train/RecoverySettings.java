package io.alexnetspark.train;

import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.model.config.SettingsReader;

import java.time.Duration;

/**
 * How the driver rides out a failed epoch stage (a lost executor, a failed task, a time-out):
 * how often it tries an epoch again, how long it waits for the cluster to offer task slots, and
 * how few replicas it accepts meanwhile.
 *
 * @param attemptsPerEpoch     attempts of one epoch, the first included ({@code job.recovery.attempts-per-epoch})
 * @param failedAttemptsPerJob failed attempts over the whole run before it gives up
 *                             ({@code job.recovery.failed-attempts-per-job})
 * @param slotWait             how long to wait for task slots before going on with fewer replicas, or
 *                             failing below {@code minReplicas} ({@code job.recovery.slot-wait})
 * @param minReplicas          the fewest replicas an epoch may run with ({@code job.min-replicas}; 0 in
 *                             the file means {@code job.replicas}: never shrink)
 */
public record RecoverySettings(int attemptsPerEpoch, int failedAttemptsPerJob, Duration slotWait, int minReplicas) {

    /** Reads the keys; {@code replicas} is {@code job.replicas}, already validated. */
    static RecoverySettings from(SettingsReader r, int replicas) {
        int min = r.intAtLeast("job.min-replicas", 0);
        if (min > replicas) {
            throw new InvalidConfigException("job.min-replicas", "must not exceed job.replicas (" + replicas + "), got " + min);
        }
        Duration wait = r.duration("job.recovery.slot-wait");
        if (wait.isNegative()) {
            throw new InvalidConfigException("job.recovery.slot-wait", "must not be negative, got " + wait);
        }
        return new RecoverySettings(r.intAtLeast("job.recovery.attempts-per-epoch", 1),
                r.intAtLeast("job.recovery.failed-attempts-per-job", 0), wait, min == 0 ? replicas : min);
    }
}
