package io.alexnetspark.train.aeron;

import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.ClientConfig;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServerException;
import io.alexnetspark.paramserver.ServerBusyException;
import io.alexnetspark.paramserver.ServerClaim;
import io.alexnetspark.paramserver.ServerRound;

/**
 * The driver's link to a parameter server on a dedicated node ({@code paramserver.placement =
 * external}), opened before each epoch attempt: the claim for this job's run, which round and
 * incarnation the server holds (a header-sized query), and seeding it with the driver's copy under a new round.
 */
final class ExternalServer implements AutoCloseable {

    private final JobSpec job;
    private final ParameterClient client;

    private ExternalServer(JobSpec job, ParameterClient client) {
        this.job = job;
        this.client = client;
    }

    /**
     * Claims the server for run {@code run} (see {@code ServerLobby}: one job's run at a time;
     * claiming the run it serves again is a no-op), then opens the link under the run's id, as the
     * driver ({@link JobSpec#driverId()}); answers come back to the placement's bind host.
     *
     * @throws ServerBusyException if the server serves another job's live run
     * @throws ParameterServerException naming the server's channel if it cannot be reached
     */
    static ExternalServer connect(ServerPlacement.External placement, long run) {
        JobSpec base = placement.job();
        JobSpec job;
        try (ServerClaim claim = new ServerClaim(base, placement.bindHost(), placement.timeout(), AeronSetup.embeddedFresh())) {
            job = claim.claim(run);
        } catch (ServerBusyException e) {
            throw e;
        } catch (ParameterServerException e) {
            throw unreachable(base, e);
        }
        ClientConfig config = new ClientConfig(job, job.driverId(), placement.bindHost(), placement.timeout(), placement.timeout(),
                AeronSetup.embeddedFresh());
        try {
            return new ExternalServer(job, new ParameterClient(config));
        } catch (ParameterServerException e) {
            throw unreachable(base, e);
        }
    }

    /**
     * Gives the server up at the end of the job (best effort: otherwise its lease ends the run).
     *
     * @return whether every shard confirmed
     */
    static boolean release(ServerPlacement.External placement, long run) {
        try (ServerClaim claim = new ServerClaim(placement.job(), placement.bindHost(), placement.timeout(), AeronSetup.embeddedFresh())) {
            return claim.release(run);
        }
    }

    /** The run's job: the server's job under the run's id. */
    JobSpec job() {
        return job;
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
