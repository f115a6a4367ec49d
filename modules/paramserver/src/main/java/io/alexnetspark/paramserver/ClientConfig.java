package io.alexnetspark.paramserver;

import java.time.Duration;
import java.util.Objects;

/**
 * A worker's configuration.
 *
 * @param job          what server and workers share
 * @param workerId     0..W-1, or {@link JobSpec#driverId()} for the job's driver
 * @param bindHost     the worker's interface for receiving averages over UDP (ignored for IPC)
 * @param awaitTimeout how long to wait for an average (or a PULL answer) before giving up
 * @param ioTimeout    how long to wait for connections and for back-pressure to clear
 * @param aeron        embedded or external media driver
 */
public record ClientConfig(JobSpec job, int workerId, String bindHost, Duration awaitTimeout, Duration ioTimeout,
                           AeronSetup aeron) {

    public ClientConfig {
        Objects.requireNonNull(job, "job");
        Objects.requireNonNull(awaitTimeout, "awaitTimeout");
        Objects.requireNonNull(ioTimeout, "ioTimeout");
        Objects.requireNonNull(aeron, "aeron");
        if (workerId < 0 || workerId > job.workers() || (workerId == job.driverId() && !job.holdsSecret())) {
            throw new IllegalArgumentException("worker id must be in [0, " + job.workers() + "), or the driver's "
                + job.driverId() + " with the job's secret; got " + workerId);
        }
        if (job.channel().transport() == Channel.Transport.UDP) {
            Objects.requireNonNull(bindHost, "bindHost");
        }
    }
}
