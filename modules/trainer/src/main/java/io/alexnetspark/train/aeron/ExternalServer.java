package io.alexnetspark.train.aeron;

import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.ClientConfig;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServerException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * The driver's one look at a parameter server running on a dedicated node
 * ({@code paramserver.placement = external}): can it be reached with this job's id, secret and
 * MAC, and which round does it hold. Asked once, before the first epoch, as worker 0 would.
 */
public final class ExternalServer {

    private ExternalServer() {
    }

    /**
     * The latest complete round the server holds (-1 if it holds none).
     *
     * @param job      the job as the server was started (id, secret, shards and their hosts, MAC)
     * @param bindHost the driver's own address, where the answer comes back (UDP)
     * @throws ParameterServerException naming the server's channel if it cannot be reached or does not answer
     */
    public static long latestRound(JobSpec job, String bindHost, Duration timeout) {
        ClientConfig config = new ClientConfig(job, 0, bindHost, timeout, timeout, AeronSetup.embeddedFresh());
        ByteBuffer scratch = ByteBuffer.allocateDirect((int) job.layout().bytes()).order(ByteOrder.LITTLE_ENDIAN);
        try (ParameterClient client = new ParameterClient(config)) {
            return client.pullLatest(scratch).round();
        } catch (ParameterServerException e) {
            throw new ParameterServerException("the external parameter server (" + job.channel() + ", job id " + job.jobId()
                    + ", " + job.mac() + ") did not answer: is it running for this job, with the same secret? " + e.getMessage(), e);
        }
    }
}
