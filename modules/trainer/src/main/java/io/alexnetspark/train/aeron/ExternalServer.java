package io.alexnetspark.train.aeron;

import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.ClientConfig;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServerException;
import io.alexnetspark.paramserver.ServerRound;

/**
 * The driver's link to a parameter server on a dedicated node ({@code paramserver.placement =
 * external}), opened before each epoch attempt as worker 0 would: which round and incarnation the
 * server holds (a header-sized query), and seeding it with the driver's copy under a new round.
 */
final class ExternalServer implements AutoCloseable {

    private final JobSpec job;
    private final ParameterClient client;

    private ExternalServer(JobSpec job, ParameterClient client) {
        this.job = job;
        this.client = client;
    }

    /**
     * Opens the link (the driver's address, where answers come back, is the placement's bind host).
     *
     * @throws ParameterServerException naming the server's channel if it cannot be reached
     */
    static ExternalServer connect(ServerPlacement.External placement) {
        JobSpec job = placement.job();
        // The driver's own id: its link never takes a worker's place or averages stream.
        ClientConfig config = new ClientConfig(job, job.driverId(), placement.bindHost(), placement.timeout(), placement.timeout(),
                AeronSetup.embeddedFresh());
        try {
            return new ExternalServer(job, new ParameterClient(config));
        } catch (ParameterServerException e) {
            throw unreachable(job, e);
        }
    }

    /** The server's round and incarnation. */
    ServerRound query() {
        try {
            return client.queryRound();
        } catch (ParameterServerException e) {
            throw unreachable(job, e);
        }
    }

    ParameterClient client() {
        return client;
    }

    private static ParameterServerException unreachable(JobSpec job, ParameterServerException e) {
        return new ParameterServerException("the external parameter server (" + job.channel() + ", job id " + job.jobId()
                + ", " + job.mac() + ") did not answer: is it running for this job, with the same secret? " + e.getMessage(), e);
    }

    @Override
    public void close() {
        client.close();
    }
}
