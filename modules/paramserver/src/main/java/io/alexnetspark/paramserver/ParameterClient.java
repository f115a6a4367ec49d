package io.alexnetspark.paramserver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.agrona.CloseHelper;
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
    /** pullLatest asks lagging shards again after this long. */
    private static final long PULL_RETRY_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ClientConfig config;
    private final JobSpec job;
    private final ShardLayout layout;
    private final int workerId;
    private final WorkerStreams streams;
    private final VectorSender sender;

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
    /** What has arrived of the answer awaited, and its figures. */
    private final RoundReceipt receipt;
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
    /** The caller's vector during pushAndAwait (a view for signing re-pushed chunks). */
    private ByteBuffer repushView;
    /** Times an awaited round stalled and was asked for again (monitoring, tests). */
    private volatile long resends;

    /** The term buffers a worker maps for a server of {@code shards} shards: a push publication and an averages image per shard. */
    public static long termBufferBytes(int shards, int termLength) {
        return AeronConnection.logBytes(2 * shards, termLength);
    }

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
        this.receipt = new RoundReceipt(layout);
        this.infoRound = new long[shards];
        this.infoIncarnation = new long[shards];
        this.infoTicket = new int[shards];
        this.pullDue = new boolean[shards];
        this.infoReceived = new boolean[shards];
        this.streams = new WorkerStreams(config, validator, ShardRules::new, pushCodec, helloStamp);
        this.sender = new VectorSender(job, workerId, streams, idle, config.ioTimeout(), new VectorSender.Waiting() {
            @Override
            public int poll() {
                return pollAll();
            }

            @Override
            public boolean aborted() {
                return abort.getAsBoolean();
            }

            @Override
            public void abort(String what) {
                checkAbort(what);
            }
        });
        try {
            streams.awaitConnected(config.ioTimeout().toNanos(), idle);
            drainer = new Thread(this::drainBetweenCalls, "paramserver-client-" + workerId + "-drain");
            drainer.setDaemon(true);
            drainer.start();
        } catch (RuntimeException e) {
            streams.close();
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
        return streams.averagesEndpoint(shard);
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
        receipt.beginAwait(round);
        mode = Mode.AWAIT;
        long t0 = System.nanoTime();
        long bytesOut = sendVector(MessageHeader.PUSH, round, params, view);
        long t1 = System.nanoTime();
        awaitChunks("the average of round " + round);
        return receipt.stats(round, t0, t1, bytesOut, drops.total() - dropsBefore);
    }

    /** Sends the vector from the caller's buffer as {@code type} chunks of {@code round}; returns the bytes sent. */
    private long sendVector(short type, long round, ByteBuffer params, ByteBuffer view) {
        return sender.send(type, round, type == MessageHeader.SEED ? control() : pushCodec, target, view, params.position());
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
        UnsafeBuffer h = streams.header(shard);
        MessageHeader.write(h, 0, type, job.jobId(), -1, nonce, workerId, shard, 0, 0, 0, aux);
        pushCodec.sign(h, null);
        offerHeader(shard, "a round query");
    }

    /** Offers the header-only message in {@code streams.header(shard)}, through back-pressure up to the I/O time-out. */
    private void offerHeader(int shard, String what) {
        UnsafeBuffer h = streams.header(shard);
        long deadline = System.nanoTime() + config.ioTimeout().toNanos();
        while (true) {
            long result = streams.publication(shard).offer(h, 0, MessageHeader.LENGTH);
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
        receipt.beginPull();
        mode = Mode.PULL;
        long t0 = System.nanoTime();
        // A PULL is answered only with a ticket the shard gave this worker for it (a round query's
        // answer) and only once: a captured PULL cannot be replayed.
        queryNonce = nonces.nextLong();
        long bytesOut = 0;
        for (int s = 0; s < layout.shards(); s++) {
            bytesOut += requestTicket(s);
        }
        long t1 = System.nanoTime();
        long deadline = t1 + config.awaitTimeout().toNanos();
        while (true) {
            // Lagging shards are asked again now and then: their next average may go out early
            // (chunks a PULL does not take), so waiting for it is not enough.
            awaitChunksUntil("the latest average", Math.min(deadline, System.nanoTime() + PULL_RETRY_NS), deadline);
            if (receipt.missing() > 0) {
                queryNonce = nonces.nextLong(); // answers to the older queries are not taken any more
                for (int s = 0; s < layout.shards(); s++) {
                    // Only shards that sent nothing since the last look: an answer in flight is left alone.
                    if (receipt.stalledSinceLastLook(s)) {
                        bytesOut += requestTicket(s);
                    }
                }
                continue;
            }
            // Shards that have not closed the newest round yet are asked again until they have.
            long agreed = receipt.agreedRound();
            if (agreed != -2) {
                mode = Mode.IDLE;
                return receipt.stats(agreed, t0, t1, bytesOut, drops.total() - dropsBefore);
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
                UnsafeBuffer h = streams.header(s);
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
        // Tell the shards to close their streams to this worker now, rather than after Aeron's
        // time-out, during which a stream nobody reads would hold back the next round.
        streams.goodbye();
        CloseHelper.close(streams);
    }

    private void drainBetweenCalls() {
        IdleStrategy sleep = new SleepingMillisIdleStrategy(1);
        while (running) {
            int n = 0;
            if (pollLock.tryLock()) {
                try {
                    if (running && !streams.isClosed()) {
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
        int missingBefore = receipt.missing();
        while (receipt.missing() > 0) {
            int n = pollAll();
            if (receipt.missing() != missingBefore) {
                missingBefore = receipt.missing();
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
            if (receipt.serverAhead() >= 0) {
                mode = Mode.IDLE;
                throw new RoundPassedException("worker " + workerId + ": the server already completed round " + receipt.serverAhead()
                    + " while this worker awaited round " + receipt.awaitRound() + "; pullLatest() and resume from there",
                    receipt.awaitRound(), receipt.serverAhead());
            }
            if (n == 0) {
                long now = System.nanoTime();
                if (now > deadline) {
                    String missing = receipt.missingShards();
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

    /** AWAIT mode, stalled: the chunks not received back are pushed again (see {@link VectorSender#repush}). */
    private void repushMissing() {
        resends++;
        sender.repush(receipt.awaitRound(), pushCodec, target, repushView, receipt.received(), receipt.receivedCount());
    }

    private MessageCodec control() {
        if (controlCodec == null) {
            throw new IllegalStateException("worker " + workerId + " holds its own keys only: only the job's driver can seed");
        }
        return controlCodec;
    }

    private void checkAbort(String what) {
        if (abort.getAsBoolean()) {
            mode = Mode.IDLE;
            throw new AbortedException("worker " + workerId + ": stopped " + what + ": its owner gave up");
        }
    }

    private int pollAll() {
        return streams.pollAll();
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
                if (round < receipt.awaitRound()) {
                    return false; // an older average re-sent for a worker that PULLed: not for us
                }
                if (round > receipt.awaitRound()) {
                    // Proof that the server moved on, once its MAC is checked; a chunk of a later
                    // round still open says nothing.
                    return !early && receipt.serverAhead() < 0;
                }
                return !alreadyHave(header);
            }
            if (early || !receipt.pullTakes(shard, round)) {
                return false; // a chunk of a round still open, or older than what this pull already has
            }
            return round != receipt.pulledRound(shard) || !alreadyHave(header);
        }

        /** The same chunk again (another worker PULLed): skipped before its MAC is computed. */
        private boolean alreadyHave(MessageHeader header) {
            return receipt.has(shard, header.chunkIndex());
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
            if (mode == Mode.AWAIT && round > receipt.awaitRound()) {
                receipt.serverAhead(round);
                return;
            }
            if (mode == Mode.PULL && round > receipt.pulledRound(shard)) {
                receipt.newerAnswer(shard, round); // a newer answer than the one being collected: start over
            }
            if (round < 0) {
                receipt.nothingYet(shard);
                return;
            }
            receipt.take(shard, header, target);
        }
    }
}
