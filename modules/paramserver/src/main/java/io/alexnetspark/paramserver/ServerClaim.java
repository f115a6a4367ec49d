package io.alexnetspark.paramserver;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The driver's side of a dedicated server's handshake ({@link ServerLobby}): claims every shard's
 * process for one run, or releases it. Blocking; a few round trips per shard.
 */
public final class ServerClaim implements AutoCloseable {

    private final JobSpec base;
    private final Duration timeout;
    /** How long a release waits for the shards' answers at most: it runs as a job closes. */
    private static final Duration RELEASE_WAIT = Duration.ofSeconds(10);
    private final AeronConnection connection;
    private final Subscription answers;
    private final Publication[] lobbies;
    private final String endpoint;
    private final MessageCodec driverCodec;
    private final MessageCodec answerCodec;
    private final java.util.Random random = new java.security.SecureRandom();

    /**
     * @param base     the server's job (its own id and secret) as the server was started with
     * @param bindHost the driver's interface, where answers come back
     * @param timeout  how long each step may take
     * @param aeron    the media driver to use
     */
    public ServerClaim(JobSpec base, String bindHost, Duration timeout, AeronSetup aeron) {
        this.base = base;
        this.timeout = timeout;
        this.driverCodec = new MessageCodec(base.jobId(), base.controlKey(), base.mac());
        this.answerCodec = new MessageCodec(base.jobId(), base.keysOf(base.driverId()).average(), base.mac());
        this.connection = AeronConnection.open(aeron);
        try {
            answers = connection.aeron().addSubscription("aeron:udp?endpoint=" + bindHost + ":0", Channel.LOBBY_ANSWER_STREAM);
            lobbies = new Publication[base.shards()];
            for (int s = 0; s < base.shards(); s++) {
                lobbies[s] = connection.aeron().addExclusivePublication(base.channel().lobbyChannel(s), Channel.LOBBY_STREAM_BASE + s);
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (answers.localSocketAddresses().isEmpty()) {
                waitUntil(deadline, "binding the answer endpoint on " + bindHost);
            }
            endpoint = answers.localSocketAddresses().get(0);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Claims every shard for run {@code run} (idempotent for the run already served).
     *
     * @return the run's job: the base job under the run's id (its keys follow)
     * @throws ParameterServerException if a shard serves another live run (saying which, how long
     *                                  silent, and the lease), or does not answer in time
     */
    public JobSpec claim(long run) {
        for (int s = 0; s < base.shards(); s++) {
            claimShard(s, run);
        }
        return base.withJobId(run);
    }

    private void claimShard(int s, long run) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            // A challenge is good for one claim: a step that gets no answer starts over with a new one.
            long nonce = random.nextLong();
            MessageHeader challenge = ask(s, MessageHeader.CLAIM_ASK, 0, nonce, deadline);
            MessageHeader h = challenge == null ? null : ask(s, MessageHeader.CLAIM_TAKE, run, challenge.round(), deadline);
            if (h == null) {
                continue;
            }
            if (h.aux() == MessageHeader.ANSWER_REFUSED) {
                throw new ServerBusyException("the external parameter server's shard " + s + " (" + base.channel().hostOf(s)
                    + ") serves another job: run " + Long.toHexString(h.round()) + ", whose last message came " + h.chunkIndex()
                    + " s ago; it takes a new run when that one ends or after " + h.chunkCount() + " s of silence (its lease)");
            }
            if (h.aux() != MessageHeader.ANSWER_BOUND || h.round() != run) {
                throw new ParameterServerException("the external parameter server's shard " + s + " answered a claim unexpectedly");
            }
            return;
        }
    }

    /**
     * Gives run {@code run} up on every shard and waits for each shard to confirm, sending again
     * while no answer comes (within the time-out, at most {@link #RELEASE_WAIT}).
     *
     * @return whether every shard confirmed; a shard that did not frees itself after the lease
     */
    public boolean release(long run) {
        long deadline = System.nanoTime() + Math.min(timeout.toNanos(), RELEASE_WAIT.toNanos());
        boolean all = true;
        for (int s = 0; s < base.shards(); s++) {
            try {
                MessageHeader h = null;
                while (h == null) {
                    h = ask(s, MessageHeader.CLAIM_RELEASE, run, random.nextLong(), deadline);
                }
                all &= h.aux() == MessageHeader.ANSWER_RELEASED;
            } catch (ParameterServerException e) {
                all = false; // timed out: the lease frees the shard
            }
        }
        return all;
    }

    /**
     * Sends a lobby message once and waits up to a second for the authentic answer that echoes
     * {@code echo}; null if none came (the caller starts over).
     *
     * @throws ParameterServerException once {@code deadline} passed
     */
    private MessageHeader ask(int shard, int what, long run, long echo, long deadline) {
        UnsafeBuffer[] got = new UnsafeBuffer[1];
        MessageHeader h = new MessageHeader();
        FragmentAssembler take = new FragmentAssembler((buffer, offset, length, header) -> {
            if (length != MessageHeader.LENGTH || got[0] != null) {
                return;
            }
            UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, buffer, offset, length);
            h.wrap(copy, 0);
            if (answerCodec.checkFrame(copy, 0, length, h) == null && h.type() == MessageHeader.CLAIM_ANSWER
                && h.byteOffset() == echo && answerCodec.checkIntegrity(copy, 0, h) == null) {
                got[0] = copy;
            }
        });
        while (!lobbies[shard].isConnected()) {
            waitUntil(deadline, "the external parameter server's lobby for shard " + shard + " (" + base.channel().lobbyChannel(shard)
                + "): is it running?");
        }
        send(shard, what, run, echo);
        long stepEnd = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        while (got[0] == null) {
            if (answers.poll(take, 10) == 0) {
                if (System.nanoTime() > stepEnd) {
                    waitUntil(deadline, "an answer from the external parameter server's lobby for shard " + shard + " ("
                        + base.channel().lobbyChannel(shard) + ", job id " + base.jobId() + "): is it running, with this secret?");
                    return null;
                }
                waitUntil(deadline, "the external parameter server's lobby");
            }
        }
        return h.wrap(got[0], 0);
    }

    private void send(int shard, int what, long run, long echo) {
        byte[] bytes = endpoint.getBytes(StandardCharsets.US_ASCII);
        UnsafeBuffer header = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        MessageHeader.write(header, 0, MessageHeader.CLAIM, base.jobId(), run, echo, base.driverId(), shard, 0, 0, bytes.length, what);
        ByteBuffer payload = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
        driverCodec.sign(header, payload);
        // A claim that does not get through is sent again (ask); a step left unsent is the caller's time-out.
        lobbies[shard].offer(header, 0, MessageHeader.LENGTH, new UnsafeBuffer(payload), 0, bytes.length);
    }

    private static void waitUntil(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new ParameterServerException("timed out waiting for " + what);
        }
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ParameterServerException("interrupted waiting for " + what, e);
        }
    }

    @Override
    public void close() {
        CloseHelper.close(connection);
    }
}
