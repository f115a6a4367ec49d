package io.alexnetspark.paramserver;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A worker's connection to the parameter server. One per worker, used from one thread.
 *
 * <p>{@link #pushAndAwait} sends the worker's whole vector, chunk by chunk, round-robin over the
 * shards, straight from the caller's buffer (no copy), then writes the round's average back into
 * that same buffer as its chunks arrive. {@link #pullLatest} fetches the latest complete average
 * for a worker that (re)joins. Neither allocates per message.
 *
 * <p>Between calls a daemon thread keeps reading (and discarding) what the server sends, such as
 * answers to another worker's PULL: with Aeron's min flow control an unread subscription would
 * hold back every other worker's stream while this one trains.
 */
public final class ParameterClient implements AutoCloseable {

    private static final int FRAGMENT_LIMIT = 64;
    /** What the one polling thread is waiting for, which decides what it takes from the streams. */
    private enum Mode {
        /** Nothing: what arrives is read and discarded (the drainer between calls). */
        IDLE,
        /** The average of {@code awaitRound} (pushAndAwait). */
        AWAIT,
        /** The latest complete average of every shard (pullLatest). */
        PULL,
        /** Every shard's round and incarnation (queryRound). */
        QUERY
    }
    /** An awaited round with no chunk for this long (at least; else an eighth of the await time-out) is asked for again. */
    private static final long STALL_MIN_NS = TimeUnit.SECONDS.toNanos(2);
    /** A HELLO is repeated after this long while the shard's stream to this worker is not up. */
    private static final long HELLO_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** pullLatest asks lagging shards again after this long. */
    private static final long PULL_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ClientConfig config;
    private final JobSpec job;
    private final ShardLayout layout;
    private final int workerId;
    private final AeronConnection connection;
    private final Publication[] publications;
    private final Subscription[] subscriptions;
    private final BoundedReassembler[] reassemblers;
    private final UnsafeBuffer[] outHeaders;
    private final boolean[] signed;
    private final int[] nextChunk;

    /** Signs this worker's pushes and requests: its push key. */
    private final MessageCodec pushCodec;
    /** Checks what the shards send this worker: its average key. */
    private final MessageCodec averageCodec;
    /** Signs SEEDs: the control key, only where the job's secret is held (the driver); else null. */
    private final MessageCodec controlCodec;
    /** This client's start, in microseconds: orders its HELLOs after those of an earlier client of the same worker. */
    private final long helloStamp;
    private final DropCounters drops = new DropCounters();
    private final InboundValidator validator;
    private final IdleStrategy idle = IdleStrategies.fromProperty(IdleStrategies.CLIENT_PROPERTY);

    // Where received averages go: the caller's buffer, wrapped per call (no allocation).
    private final UnsafeBuffer target = new UnsafeBuffer(new byte[0]);
    private final boolean[][] received;
    private final int[] receivedCount;
    private final long[] shardRound;
    private final long[] minRound;
    private final boolean[] shardComplete;
    private final int[] pullProgress;
    private final long[] infoRound;
    private final long[] infoIncarnation;
    /** Per shard, the ticket of its latest ROUND_INFO to this worker: what a PULL must carry. */
    private final int[] infoTicket;
    /** PULL mode: shards whose ticket arrived and whose PULL is still to be sent. */
    private final boolean[] pullDue;
    private final boolean[] infoReceived;
    private int infoMissing;
    private long queryNonce;
    private final java.security.SecureRandom nonces = new java.security.SecureRandom();
    private volatile Mode mode = Mode.IDLE;
    /** Held by a call, or by the drainer between calls: one thread polls at a time. */
    private final ReentrantLock pollLock = new ReentrantLock();
    private final Thread drainer;
    private volatile boolean running = true;
    private volatile java.util.function.BooleanSupplier abort = () -> false;
    private long awaitRound;
    /** The caller's vector during pushAndAwait (a view for signing re-pushed chunks). */
    private ByteBuffer repushView;
    /** Times an awaited round stalled and was asked for again (monitoring, tests). */
    private volatile long resends;
    private long serverAhead;
    private int chunksMissing;
    private long bytesIn;
    private long firstChunkNs;
    private long lastChunkNs;
    private int minContributors;
    private int maxContributors;

    /**
     * Connects to the server's shards and waits (up to the I/O time-out) until every stream is up.
     *
     * @throws ParameterServerException if the server cannot be reached in time
     */
    public ParameterClient(ClientConfig config) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new IllegalStateException("the wire format is little-endian float32: a little-endian platform is required");
        }
        this.config = config;
        this.job = config.job();
        this.layout = job.layout();
        this.workerId = config.workerId();
        JobSpec.WorkerKeys keys = job.keysOf(workerId);
        this.pushCodec = new MessageCodec(job.jobId(), keys.push(), job.mac());
        this.averageCodec = new MessageCodec(job.jobId(), keys.average(), job.mac());
        this.controlCodec = job.holdsSecret() ? new MessageCodec(job.jobId(), job.controlKey(), job.mac()) : null;
        this.helloStamp = System.currentTimeMillis() * 1000 + (System.nanoTime() / 1000) % 1000;
        this.validator = new InboundValidator(averageCodec, MessageHeader.LENGTH + layout.maxChunkBytes(), drops);
        int shards = layout.shards();
        this.publications = new Publication[shards];
        this.subscriptions = new Subscription[shards];
        this.reassemblers = new BoundedReassembler[shards];
        this.outHeaders = new UnsafeBuffer[shards];
        this.signed = new boolean[shards];
        this.nextChunk = new int[shards];
        this.received = new boolean[shards][];
        this.receivedCount = new int[shards];
        this.shardRound = new long[shards];
        this.minRound = new long[shards];
        this.shardComplete = new boolean[shards];
        this.pullProgress = new int[shards];
        this.infoRound = new long[shards];
        this.infoIncarnation = new long[shards];
        this.infoTicket = new int[shards];
        this.pullDue = new boolean[shards];
        this.infoReceived = new boolean[shards];
        this.connection = AeronConnection.open(config.aeron());
        try {
            Aeron aeron = connection.aeron();
            Channel channel = job.channel();
            for (int s = 0; s < shards; s++) {
                publications[s] = aeron.addPublication(channel.workerPushChannel(s, config.bindHost()), channel.pushStreamId(s));
                // Honest senders on a shard's averages stream: the shard's publication, and for a while
                // that of an earlier server incarnation on the same ports.
                BoundedReassembler reassembler = new BoundedReassembler(validator, new ShardRules(s), 8,
                    channel.transport() == Channel.Transport.UDP, "worker " + workerId + "'s averages stream of shard " + s);
                reassemblers[s] = reassembler;
                subscriptions[s] = aeron.addSubscription(channel.workerAverageChannel(s, config.bindHost()),
                    channel.averageStreamId(s), null, reassembler::onUnavailableImage);
                reassembler.bind(subscriptions[s]);
                outHeaders[s] = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
                received[s] = new boolean[layout.chunkCount(s)];
            }
            awaitConnected();
            drainer = new Thread(this::drainBetweenCalls, "paramserver-client-" + workerId + "-drain");
            drainer.setDaemon(true);
            drainer.start();
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    public int workerId() {
        return workerId;
    }

    /**
     * Makes every wait of this client (for an average, a PULL answer, back-pressure) end with an
     * {@link AbortedException} soon after {@code check} turns true, instead of running to its
     * time-out: e.g. a Spark task that was killed, whose slot the retried stage needs.
     */
    public void abortWhen(java.util.function.BooleanSupplier check) {
        this.abort = java.util.Objects.requireNonNull(check, "check");
    }

    /** Times this worker's awaited round stalled and it pushed its missing chunks again. */
    public long resends() {
        return resends;
    }

    /** This client's HELLO stamp (tests). */
    long helloStamp() {
        return helloStamp;
    }

    /** Where this worker receives shard {@code s}'s averages (UDP: "host:port"; IPC: empty). */
    String averagesEndpoint(int shard) {
        java.util.List<String> local = subscriptions[shard].localSocketAddresses();
        return local.isEmpty() ? "" : local.get(0);
    }

    /** Messages this client rejected, by reason. */
    public DropCounters drops() {
        return drops;
    }

    /**
     * Pushes this worker's parameters for {@code round} and waits for the round's average, which
     * replaces the parameters in {@code params}.
     *
     * @param round  the server's open round: the round of the last average received + 1
     * @param params direct buffer holding the vector's float32, native little-endian, from its
     *               position; its position and limit are not changed
     * @return timings and sizes of the round
     * @throws ParameterServerException on time-out, transport failure, or when the server is
     *                                  already past {@code round} (then {@link #pullLatest})
     */
    public RoundStats pushAndAwait(long round, ByteBuffer params) {
        pollLock.lock();
        try {
            return pushAndAwaitLocked(round, params);
        } finally {
            mode = Mode.IDLE;
            pollLock.unlock();
        }
    }

    private RoundStats pushAndAwaitLocked(long round, ByteBuffer params) {
        ByteBuffer view = bind(params);
        repushView = view;
        long dropsBefore = drops.total();
        beginReceive(Mode.AWAIT, round);
        long t0 = System.nanoTime();
        long bytesOut = sendVector(MessageHeader.PUSH, round, params, view);
        long t1 = System.nanoTime();
        awaitChunks("the average of round " + round);
        return stats(round, t0, t1, bytesOut, dropsBefore);
    }

    /**
     * Sends the whole vector as {@code type} chunks of {@code round}, round-robin over the shards,
     * straight from the caller's buffer; takes what arrives meanwhile. Returns the bytes sent.
     */
    private long sendVector(short type, long round, ByteBuffer params, ByteBuffer view) {
        int base = params.position();
        long deadline = System.nanoTime() + config.ioTimeout().toNanos();
        long bytesOut = 0;
        int remaining = layout.totalChunks();
        Arrays.fill(nextChunk, 0);
        Arrays.fill(signed, false);
        while (remaining > 0) {
            boolean progressed = false;
            for (int s = 0; s < layout.shards(); s++) {
                int c = nextChunk[s];
                if (c >= layout.chunkCount(s)) {
                    continue;
                }
                int offset = (int) layout.chunkByteOffset(s, c);
                int length = layout.chunkBytes(s, c);
                UnsafeBuffer h = outHeaders[s];
                if (!signed[s]) {
                    MessageHeader.write(h, 0, type, job.jobId(), round, offset, workerId, s, c,
                        layout.chunkCount(s), length, 0);
                    view.limit(base + offset + length).position(base + offset);
                    (type == MessageHeader.SEED ? control() : pushCodec).sign(h, view);
                    signed[s] = true;
                }
                long result = publications[s].offer(h, 0, MessageHeader.LENGTH, target, offset, length);
                if (result > 0) {
                    nextChunk[s]++;
                    signed[s] = false;
                    remaining--;
                    bytesOut += MessageHeader.LENGTH + length;
                    progressed = true;
                } else if (!Offers.isTransient(result)) {
                    throw Offers.failure(result, "worker " + workerId + " " + sending(type, round) + " to shard " + s);
                }
            }
            if (progressed) {
                idle.reset();
                deadline = System.nanoTime() + config.ioTimeout().toNanos();
                // Chunks of the average that every worker has pushed come back while we push the
                // rest (see ShardServer): take them now, so the server's stream never waits on us.
                pollAll();
            } else {
                // Back-pressured on every shard: drain the averages meanwhile, then wait a little.
                pollAll();
                if (System.nanoTime() > deadline) {
                    throw new ParameterServerException("worker " + workerId + ": back-pressured for " + config.ioTimeout()
                        + " " + sending(type, round) + " to " + job.channel());
                }
                if (abort.getAsBoolean()) {
                    checkAbort(sending(type, round));
                }
                idle.idle();
            }
        }
        return bytesOut;
    }

    /**
     * Asks every shard which round it holds and which incarnation it is (header-only messages
     * bound to a fresh nonce: an old answer cannot pass for a new one). Answers of shards that stay
     * silent are asked for again now and then, up to the await time-out.
     *
     * @throws ParameterServerException if a shard does not answer in time
     */
    public ServerRound queryRound() {
        pollLock.lock();
        try {
            return queryRoundLocked();
        } finally {
            mode = Mode.IDLE;
            pollLock.unlock();
        }
    }

    private ServerRound queryRoundLocked() {
        queryNonce = nonces.nextLong();
        Arrays.fill(infoReceived, false);
        infoMissing = layout.shards();
        mode = Mode.QUERY;
        long deadline = System.nanoTime() + config.awaitTimeout().toNanos();
        while (infoMissing > 0) {
            for (int s = 0; s < layout.shards(); s++) {
                if (!infoReceived[s]) {
                    sendHeaderOnly(MessageHeader.ROUND_QUERY, s, queryNonce, 0);
                }
            }
            long retry = Math.min(deadline, System.nanoTime() + PULL_RETRY_NS);
            idle.reset();
            while (infoMissing > 0 && System.nanoTime() < retry) {
                if (pollAll() == 0) {
                    if (abort.getAsBoolean()) {
                        checkAbort("waiting for the server's round");
                    }
                    idle.idle();
                }
            }
            if (infoMissing > 0 && System.nanoTime() >= deadline) {
                mode = Mode.IDLE;
                throw new ParameterServerException("worker " + workerId + ": " + infoMissing + " of " + layout.shards()
                    + " shards did not answer a round query within " + config.awaitTimeout() + " (" + job.channel() + ")");
            }
        }
        mode = Mode.IDLE;
        long min = Long.MAX_VALUE;
        long max = Long.MIN_VALUE;
        long fingerprint = 17;
        for (int s = 0; s < layout.shards(); s++) {
            min = Math.min(min, infoRound[s]);
            max = Math.max(max, infoRound[s]);
            fingerprint = fingerprint * 0x9E3779B97F4A7C15L + infoIncarnation[s];
        }
        return new ServerRound(min, min == max, fingerprint);
    }

    /**
     * Replaces the server's latest average with {@code params} as round {@code round}, which must be
     * newer than any round the server holds (a round number is never used twice); the pushes of its
     * open round so far are discarded. Returns once every shard holds it.
     *
     * @throws ParameterServerException if the server already holds a newer round, or does not confirm in time
     */
    public void seed(long round, ByteBuffer params) {
        pollLock.lock();
        try {
            ByteBuffer view = bind(params);
            ServerRound before = queryRoundLocked();
            if (before.latestRound() >= round) {
                throw new ParameterServerException("worker " + workerId + ": cannot seed round " + round
                    + ": the server already holds round " + before.latestRound() + " (a round number is never used twice)");
            }
            mode = Mode.IDLE; // what arrives while sending is not for us
            sendVector(MessageHeader.SEED, round, params, view);
            long deadline = System.nanoTime() + config.awaitTimeout().toNanos();
            while (true) {
                ServerRound now = queryRoundLocked();
                if (now.agree() && now.latestRound() == round) {
                    return;
                }
                if (now.latestRound() > round) {
                    throw new ParameterServerException("worker " + workerId + ": cannot seed round " + round
                        + ": the server already holds round " + now.latestRound());
                }
                if (System.nanoTime() > deadline) {
                    throw new ParameterServerException("worker " + workerId + ": the server did not take the seed of round "
                        + round + " within " + config.awaitTimeout() + " (it holds round " + now.latestRound() + ")");
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ParameterServerException("interrupted while seeding", e);
                }
            }
        } finally {
            mode = Mode.IDLE;
            pollLock.unlock();
        }
    }

    private void sendHeaderOnly(short type, int shard, long nonce, int aux) {
        UnsafeBuffer h = outHeaders[shard];
        MessageHeader.write(h, 0, type, job.jobId(), -1, nonce, workerId, shard, 0, 0, 0, aux);
        pushCodec.sign(h, null);
        offerHeader(shard, "a round query");
    }

    /** Offers the header-only message in {@code outHeaders[shard]}, through back-pressure up to the I/O time-out. */
    private void offerHeader(int shard, String what) {
        UnsafeBuffer h = outHeaders[shard];
        long deadline = System.nanoTime() + config.ioTimeout().toNanos();
        while (true) {
            long result = publications[shard].offer(h, 0, MessageHeader.LENGTH);
            if (result > 0) {
                return;
            }
            if (!Offers.isTransient(result)) {
                throw Offers.failure(result, "worker " + workerId + " sending " + what + " to shard " + shard);
            }
            if (System.nanoTime() > deadline) {
                throw new ParameterServerException("worker " + workerId + ": back-pressured for " + config.ioTimeout()
                    + " sending " + what + " to shard " + shard);
            }
            if (abort.getAsBoolean()) {
                checkAbort("sending " + what + " to shard " + shard);
            }
            pollAll();
            idle.idle();
        }
    }

    /**
     * Fetches the latest complete average into {@code params} and returns its round (in the stats;
     * -1 if the server has none, {@code params} then untouched). If the shards are momentarily at
     * different rounds, the lagging ones are asked again until all agree.
     */
    public RoundStats pullLatest(ByteBuffer params) {
        pollLock.lock();
        try {
            return pullLatestLocked(params);
        } finally {
            mode = Mode.IDLE;
            pollLock.unlock();
        }
    }

    private RoundStats pullLatestLocked(ByteBuffer params) {
        bind(params);
        long dropsBefore = drops.total();
        beginReceive(Mode.PULL, 0);
        long t0 = System.nanoTime();
        // A PULL is answered only with a ticket the shard gave this worker for it (a round query's
        // answer) and only once: a captured PULL cannot be replayed.
        queryNonce = nonces.nextLong();
        long bytesOut = 0;
        for (int s = 0; s < layout.shards(); s++) {
            bytesOut += requestTicket(s);
        }
        Arrays.fill(pullProgress, 0);
        long t1 = System.nanoTime();
        long deadline = t1 + config.awaitTimeout().toNanos();
        while (true) {
            // Lagging shards are asked again now and then: their next average may go out early
            // (chunks a PULL does not take), so waiting for it is not enough.
            awaitChunksUntil("the latest average", Math.min(deadline, System.nanoTime() + PULL_RETRY_NS), deadline);
            if (chunksMissing > 0) {
                queryNonce = nonces.nextLong(); // answers to the older queries are not taken any more
                for (int s = 0; s < layout.shards(); s++) {
                    // Only shards that sent nothing since the last look: an answer in flight is left alone.
                    if (!shardComplete[s] && receivedCount[s] == pullProgress[s]) {
                        bytesOut += requestTicket(s);
                    }
                    pullProgress[s] = receivedCount[s];
                }
                continue;
            }
            long max = Long.MIN_VALUE;
            for (long r : shardRound) {
                max = Math.max(max, r);
            }
            boolean agree = true;
            for (int s = 0; s < layout.shards(); s++) {
                if (shardRound[s] != max) {
                    // This shard has not closed round `max` yet: ask it again until it has.
                    agree = false;
                    minRound[s] = max;
                    setComplete(s, false);
                }
            }
            if (agree) {
                mode = Mode.IDLE;
                return stats(max, t0, t1, bytesOut, dropsBefore);
            }
        }
    }

    /** PULL mode: asks shard {@code s} for a ticket (a round query); its PULL follows when the answer comes. */
    private int requestTicket(int shard) {
        infoReceived[shard] = false;
        pullDue[shard] = false;
        sendHeaderOnly(MessageHeader.ROUND_QUERY, shard, queryNonce, 0);
        return MessageHeader.LENGTH;
    }

    /** PULL mode: sends the PULLs whose tickets arrived. */
    private void sendDuePulls() {
        for (int s = 0; s < layout.shards(); s++) {
            if (pullDue[s]) {
                pullDue[s] = false;
                long incarnation = infoIncarnation[s];
                UnsafeBuffer h = outHeaders[s];
                MessageHeader.write(h, 0, MessageHeader.PULL, job.jobId(), -1, infoTicket[s], workerId, s,
                    (int) incarnation, (int) (incarnation >>> 32), 0, 0);
                pushCodec.sign(h, null);
                offerHeader(s, "a PULL");
            }
        }
    }

    /** Closes the streams and the Aeron client (and the embedded driver, deleting its directory). */
    @Override
    public void close() {
        running = false;
        try {
            drainer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (job.channel().transport() == Channel.Transport.UDP && !connection.aeron().isClosed()) {
            // Tell the shards to close their streams to this worker now, rather than after Aeron's
            // time-out, during which a stream nobody reads would hold back the next round.
            for (int s = 0; s < layout.shards(); s++) {
                sendHello(s, new byte[0]);
            }
        }
        CloseHelper.close(connection);
    }

    private void drainBetweenCalls() {
        IdleStrategy sleep = new SleepingMillisIdleStrategy(1);
        while (running) {
            int n = 0;
            if (pollLock.tryLock()) {
                try {
                    if (running && !connection.aeron().isClosed()) {
                        n = pollAll(); // mode is IDLE: messages are read and discarded
                    }
                } finally {
                    pollLock.unlock();
                }
            }
            sleep.idle(n);
        }
    }

    private ByteBuffer bind(ByteBuffer params) {
        if (!params.isDirect()) {
            throw new IllegalArgumentException("params must be a direct ByteBuffer");
        }
        if (params.remaining() < layout.bytes()) {
            throw new IllegalArgumentException("params hold " + params.remaining() + " bytes, the vector needs " + layout.bytes());
        }
        target.wrap(params, params.position(), (int) layout.bytes());
        // One view per call (not per message): its position/limit delimit each chunk for CRC and HMAC.
        return params.duplicate();
    }

    private void beginReceive(Mode newMode, long round) {
        for (int s = 0; s < layout.shards(); s++) {
            Arrays.fill(received[s], false);
            receivedCount[s] = 0;
        }
        awaitRound = round;
        serverAhead = -1;
        chunksMissing = newMode == Mode.AWAIT ? layout.totalChunks() : 0;
        bytesIn = 0;
        firstChunkNs = -1;
        lastChunkNs = -1;
        minContributors = Integer.MAX_VALUE;
        maxContributors = 0;
        mode = newMode;
        if (newMode == Mode.PULL) {
            // Until each shard's answer is complete, chunksMissing counts the incomplete shards.
            Arrays.fill(shardRound, Long.MIN_VALUE);
            Arrays.fill(minRound, Long.MIN_VALUE);
            Arrays.fill(shardComplete, false);
            chunksMissing = layout.shards();
        }
    }

    private void awaitChunks(String what) {
        long deadline = System.nanoTime() + config.awaitTimeout().toNanos();
        awaitChunksUntil(what, deadline, deadline);
        mode = Mode.IDLE;
    }

    /** Polls until nothing is missing or {@code until} passes; throws once {@code deadline} passed. */
    private void awaitChunksUntil(String what, long until, long deadline) {
        idle.reset();
        long stallNs = Math.max(STALL_MIN_NS, config.awaitTimeout().toNanos() / 8);
        long lastProgress = System.nanoTime();
        int missingBefore = chunksMissing;
        while (chunksMissing > 0) {
            int n = pollAll();
            if (chunksMissing != missingBefore) {
                missingBefore = chunksMissing;
                lastProgress = System.nanoTime();
            } else if (mode == Mode.AWAIT && System.nanoTime() - lastProgress > stallNs) {
                // Nothing for a while: a push of ours, or an average for us, may have been lost (a brief
                // disconnect, a push that came too early). Ask again; what the server has already is dropped
                // as a duplicate, and a push for a round it closed makes it send that round's average again.
                repushMissing();
                lastProgress = System.nanoTime();
                stallNs *= 2;
            }
            if (mode == Mode.PULL) {
                sendDuePulls();
            }
            if (serverAhead >= 0) {
                mode = Mode.IDLE;
                throw new RoundPassedException("worker " + workerId + ": the server already completed round " + serverAhead
                    + " while this worker awaited round " + awaitRound + "; pullLatest() and resume from there",
                    awaitRound, serverAhead);
            }
            if (n == 0) {
                long now = System.nanoTime();
                if (now > deadline) {
                    String missing = missingShards();
                    mode = Mode.IDLE;
                    throw new ParameterServerException("worker " + workerId + ": no complete answer for " + what + " within "
                        + config.awaitTimeout() + " from " + job.channel() + " (" + missing + ")");
                }
                if (abort.getAsBoolean()) {
                    checkAbort("waiting for " + what); // the message is built only when it is thrown
                }
                if (now > until) {
                    return;
                }
                idle.idle();
            } else {
                idle.reset();
            }
        }
    }

    /**
     * AWAIT mode, stalled: names this worker's endpoint again to shards whose stream to it is down,
     * and pushes again the chunks of the awaited round it has not received back (their bytes in the
     * caller's buffer are still this worker's own: received chunks overwrote only theirs).
     */
    private void repushMissing() {
        resends++;
        for (int s = 0; s < layout.shards(); s++) {
            if (receivedCount[s] == layout.chunkCount(s)) {
                continue;
            }
            if (job.channel().transport() == Channel.Transport.UDP && !subscriptions[s].isConnected()) {
                sendHello(s);
            }
            UnsafeBuffer h = outHeaders[s];
            for (int c = 0; c < layout.chunkCount(s); c++) {
                if (received[s][c]) {
                    continue;
                }
                int offset = (int) layout.chunkByteOffset(s, c);
                int length = layout.chunkBytes(s, c);
                MessageHeader.write(h, 0, MessageHeader.PUSH, job.jobId(), awaitRound, offset, workerId, s, c, layout.chunkCount(s),
                    length, 0);
                ByteBuffer view = repushView.duplicate();
                view.limit(offset + length).position(offset);
                pushCodec.sign(h, view);
                long result = publications[s].offer(h, 0, MessageHeader.LENGTH, target, offset, length);
                if (result < 0 && !Offers.isTransient(result)) {
                    return; // not connected: the next stall asks again
                }
            }
        }
    }

    private MessageCodec control() {
        if (controlCodec == null) {
            throw new IllegalStateException("worker " + workerId + " holds its own keys only: only the job's driver can seed");
        }
        return controlCodec;
    }

    private static String sending(short type, long round) {
        return (type == MessageHeader.SEED ? "seeding" : "pushing") + " round " + round;
    }

    private void checkAbort(String what) {
        if (abort.getAsBoolean()) {
            mode = Mode.IDLE;
            throw new AbortedException("worker " + workerId + ": stopped " + what + ": its owner gave up");
        }
    }

    /** Which shards still owe chunks, for a time-out's message. */
    private String missingShards() {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < layout.shards(); s++) {
            int missing = mode == Mode.PULL ? (shardComplete[s] ? 0 : 1) : layout.chunkCount(s) - receivedCount[s];
            if (missing > 0) {
                b.append(b.length() == 0 ? "" : ", ").append("shard ").append(s)
                    .append(mode == Mode.PULL ? " has not answered" : " owes " + missing + " of " + layout.chunkCount(s) + " chunks");
            }
        }
        return b.length() == 0 ? "nothing missing" : b.toString();
    }

    private int pollAll() {
        int n = 0;
        for (int s = 0; s < subscriptions.length; s++) {
            n += reassemblers[s].poll(subscriptions[s], FRAGMENT_LIMIT);
        }
        return n;
    }

    private RoundStats stats(long round, long t0, long t1, long bytesOut, long dropsBefore) {
        long first = firstChunkNs < 0 ? t1 : Math.max(firstChunkNs, t1);
        long last = lastChunkNs < 0 ? first : Math.max(lastChunkNs, first);
        return new RoundStats(round, t1 - t0, first - t1, last - first, bytesOut, bytesIn,
            minContributors == Integer.MAX_VALUE ? 0 : minContributors, maxContributors, drops.total() - dropsBefore);
    }

    /** PULL mode: a shard's answer is complete (or no longer). {@link #chunksMissing} counts incomplete shards. */
    private void setComplete(int shard, boolean complete) {
        if (shardComplete[shard] != complete) {
            shardComplete[shard] = complete;
            chunksMissing += complete ? -1 : 1;
        }
    }

    /**
     * Waits until every stream is up. Over UDP a shard sends this worker nothing until it knows
     * where: once the push stream is up, the worker names its averages endpoint in an authenticated
     * HELLO, repeated now and then until the shard's stream to it has connected.
     */
    private void awaitConnected() {
        long deadline = System.nanoTime() + config.ioTimeout().toNanos();
        boolean udp = job.channel().transport() == Channel.Transport.UDP;
        long[] lastHello = new long[layout.shards()];
        while (true) {
            boolean all = true;
            for (int s = 0; s < layout.shards(); s++) {
                boolean pushUp = publications[s].isConnected();
                boolean averagesUp = subscriptions[s].isConnected();
                if (udp && pushUp && !averagesUp && System.nanoTime() - lastHello[s] > HELLO_RETRY_NS) {
                    lastHello[s] = sendHello(s) ? System.nanoTime() : 0;
                }
                all &= pushUp && averagesUp;
            }
            if (all) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new ParameterServerException("worker " + workerId + ": cannot reach the parameter server ("
                    + job.channel() + ") within " + config.ioTimeout() + " (" + connectionState() + ")");
            }
            idle.idle();
        }
    }

    /** Sends shard {@code s} this worker's averages endpoint; false if the endpoint is not bound yet. */
    private boolean sendHello(int shard) {
        java.util.List<String> local = subscriptions[shard].localSocketAddresses();
        return !local.isEmpty() && sendHello(shard, local.get(0).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    /** A HELLO naming {@code endpoint}, or saying goodbye (empty); true if offered. */
    private boolean sendHello(int shard, byte[] endpoint) {
        UnsafeBuffer h = outHeaders[shard];
        MessageHeader.write(h, 0, MessageHeader.HELLO, job.jobId(), helloStamp, 0, workerId, shard, 0, 0, endpoint.length, 0);
        if (endpoint.length == 0) {
            pushCodec.sign(h, null);
            return publications[shard].offer(h, 0, MessageHeader.LENGTH) > 0;
        }
        ByteBuffer payload = ByteBuffer.allocateDirect(endpoint.length);
        payload.put(endpoint).flip();
        pushCodec.sign(h, payload);
        UnsafeBuffer body = new UnsafeBuffer(payload);
        long result = publications[shard].offer(h, 0, MessageHeader.LENGTH, body, 0, endpoint.length);
        return result > 0;
    }

    private String connectionState() {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < layout.shards(); s++) {
            b.append(s == 0 ? "" : ", ").append("shard ").append(s).append(": push ")
                .append(publications[s].isConnected() ? "up" : "down").append(", averages ")
                .append(subscriptions[s].isConnected() ? "up" : "down");
        }
        return b.toString();
    }

    /**
     * What this worker takes from shard {@code shard}'s averages stream (see {@link InboundValidator}):
     * the awaited round's chunks, a newer closed round as proof that the server moved on, a PULL
     * answer, or the answer to a round query. Only {@link #accept} changes state, after the MAC.
     */
    private final class ShardRules implements InboundValidator.Rules {
        private final int shard;

        ShardRules(int shard) {
            this.shard = shard;
        }

        @Override
        public boolean wanted(MessageHeader header) {
            if (mode == Mode.IDLE) {
                return false; // draining: nothing is awaited
            }
            short type = header.type();
            if (type == MessageHeader.ROUND_INFO) {
                // Answers to other workers' queries go to every worker; late answers are not taken.
                return mode != Mode.AWAIT && header.byteOffset() == queryNonce && !infoReceived[shard];
            }
            if (type != MessageHeader.AVERAGE) {
                return true; // counted as UNEXPECTED_TYPE
            }
            if (mode == Mode.QUERY) {
                return false; // averages for the others while this worker asks for the round
            }
            long round = header.round();
            boolean early = header.workerId() == MessageHeader.EARLY_SENDER;
            if (mode == Mode.AWAIT) {
                if (round < awaitRound) {
                    return false; // an older average re-sent for a worker that PULLed: not for us
                }
                if (round > awaitRound) {
                    // Proof that the server moved on, once its MAC is checked; a chunk of a later
                    // round still open says nothing.
                    return !early && serverAhead < 0;
                }
                return !alreadyHave(header);
            }
            if (early || round < minRound[shard] || round < shardRound[shard]) {
                return false; // a chunk of a round still open, or older than what this pull already has
            }
            return round != shardRound[shard] || !alreadyHave(header);
        }

        /** The same chunk again (another worker PULLed): skipped before its MAC is computed. */
        private boolean alreadyHave(MessageHeader header) {
            int chunk = header.chunkIndex();
            return chunk >= 0 && chunk < layout.chunkCount(shard) && received[shard][chunk];
        }

        @Override
        public DropReason shape(MessageHeader header) {
            short type = header.type();
            if (type == MessageHeader.ROUND_INFO) {
                return header.shard() != shard || header.payloadLength() != 0 || header.workerId() != MessageHeader.SERVER_SENDER
                    ? DropReason.OUT_OF_RANGE : null;
            }
            if (type != MessageHeader.AVERAGE) {
                return DropReason.UNEXPECTED_TYPE;
            }
            int sender = header.workerId();
            if (header.shard() != shard || (sender != MessageHeader.SERVER_SENDER && sender != MessageHeader.EARLY_SENDER)) {
                return DropReason.OUT_OF_RANGE;
            }
            int chunk = header.chunkIndex();
            boolean empty = header.round() < 0; // the server has no average yet: one message, no chunks
            boolean sound = empty
                ? header.chunkCount() == 0 && header.payloadLength() == 0 && mode == Mode.PULL
                : header.chunkCount() == layout.chunkCount(shard) && chunk >= 0 && chunk < layout.chunkCount(shard)
                    && header.byteOffset() == layout.chunkByteOffset(shard, chunk)
                    && header.payloadLength() == layout.chunkBytes(shard, chunk);
            return sound ? null : DropReason.OUT_OF_RANGE;
        }

        @Override
        public MessageCodec verifier(MessageHeader header) {
            return averageCodec;
        }

        @Override
        public DropReason state(MessageHeader header) {
            return null; // what is not wanted was skipped; what is wanted and authentic is taken
        }

        @Override
        public boolean carriesFloats(MessageHeader header) {
            return header.type() == MessageHeader.AVERAGE;
        }

        @Override
        public void accept(MessageHeader header) {
            if (header.type() == MessageHeader.ROUND_INFO) {
                infoRound[shard] = header.round();
                infoIncarnation[shard] = (header.chunkIndex() & 0xFFFFFFFFL) | ((long) header.chunkCount() << 32);
                infoTicket[shard] = header.aux();
                infoReceived[shard] = true;
                if (mode == Mode.PULL) {
                    pullDue[shard] = true;
                } else {
                    infoMissing--;
                }
                return;
            }
            long round = header.round();
            if (mode == Mode.AWAIT && round > awaitRound) {
                serverAhead = round;
                return;
            }
            if (mode == Mode.PULL && round > shardRound[shard]) {
                // A newer answer than the one being collected: start this shard over at that round.
                shardRound[shard] = round;
                Arrays.fill(received[shard], false);
                receivedCount[shard] = 0;
                setComplete(shard, false);
            }
            if (round < 0) {
                setComplete(shard, true);
                return;
            }
            int chunk = header.chunkIndex();
            header.buffer().getBytes(header.payloadOffset(), target, (int) header.byteOffset(), header.payloadLength());
            received[shard][chunk] = true;
            receivedCount[shard]++;
            if (mode == Mode.AWAIT) {
                chunksMissing--;
            } else if (receivedCount[shard] == layout.chunkCount(shard)) {
                setComplete(shard, true);
            }
            bytesIn += MessageHeader.LENGTH + header.payloadLength();
            long now = System.nanoTime();
            if (firstChunkNs < 0) {
                firstChunkNs = now;
            }
            lastChunkNs = now;
            int contributors = header.aux();
            minContributors = Math.min(minContributors, contributors);
            maxContributors = Math.max(maxContributors, contributors);
        }
    }
}
