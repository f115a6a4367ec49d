package io.alexnetspark.paramserver;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One shard of the server, run as an Aeron {@link Agent} on its own thread: receives pushes,
 * validates and accumulates them ({@link InboundValidator}, with this class's rules), closes
 * rounds, and hands averages and answers to its {@link AverageSender}.
 *
 * <p>Invariant: the open round is always {@code latestRound + 1}. Sending never blocks: a
 * back-pressured offer is retried on the next duty cycle while pushes keep being received.
 *
 * <p>Pipelining: a chunk every worker has pushed is final; its mean is computed at once (fused
 * with the last addition, see {@link ShardAccumulator#add}) into the {@code next} buffer and
 * queued for sending, marked early ({@link MessageHeader#EARLY_SENDER}), while the rest of the
 * round is still arriving. When the round closes, the chunks that are not final (a quorum close)
 * are averaged and queued, and {@code next} becomes {@code latest}. Two buffers, because
 * {@code latest} must stay the complete average of {@code latestRound} for PULL answers and
 * {@link ParameterServer#latestAverage}. A round is closed only when no chunk of the previous
 * round is still queued and no answer is being sent (both read the buffer that becomes
 * {@code next} again).
 *
 * <p>Keys: each worker's pushes and requests are checked with that worker's push key, a SEED with
 * the control key only the driver holds ({@link JobKeys}).
 */
final class ShardServer implements Agent, InboundValidator.Rules {

    private static final Logger LOG = LoggerFactory.getLogger(ShardServer.class);
    private static final int FRAGMENT_LIMIT = 64;
    /** Chunks offered per destination and duty cycle at most, so receiving is never starved by a long send. */
    private static final int CHUNKS_PER_CYCLE = 4;
    /** A worker gets the whole latest average once per closed round, or else once per second. */
    private static final long FULL_ANSWER_INTERVAL_NS = java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_ANSWER_INTERVAL_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(50);

    private final int shard;
    private final JobSpec job;
    private final ShardLayout layout;
    private final int chunkCount;
    private final int quorum;
    private final long roundTimeoutNs;
    private final Subscription subscription;
    private final DropCounters drops;
    private final RoundReport report;
    private final long incarnation;

    private final InboundValidator validator;
    private final BoundedReassembler reassembler;
    /** Per worker, the codec checking its pushes and requests (its push key; over IPC the shared key). */
    private final MessageCodec[] pushCodecs;
    /** Checks SEEDs: the control key, which only the secret's holders (the driver) have. */
    private final MessageCodec controlCodec;
    private final ShardAccumulator accumulator;
    private final AverageSender sender;
    /**
     * Full answers per worker, counted apart for PULLs and for straggler resends (a straggler's
     * resend is what sends it to PULL; one budget for both would refuse that PULL): each once per
     * closed round, else once per interval, so neither a worker nor a replay can make the shard stream.
     */
    private final AnswerLimiter pullAnswers;
    private final AnswerLimiter resendAnswers;
    /**
     * Per worker, the ticket its latest round query was given (0: none): a PULL must carry it, and
     * uses it up, so a captured PULL is worth nothing.
     */
    private final int[] tickets;
    /** Per worker, the stamp of the HELLO it joined with: an older one (a replay) is refused. */
    private final long[] helloStamps;
    private final java.util.Random ticketRandom = new java.security.SecureRandom();
    /** Full answers started (PULLs and straggler resends), read by tests and monitoring. */
    private volatile long fullAnswers;
    /** When this shard last took an authentic message (System.nanoTime), for a lobby's lease. */
    private volatile long lastAcceptNs = System.nanoTime();

    /** The latest complete average of this shard; swapped with {@link #next} under {@link #latestLock}. */
    private UnsafeBuffer latest;
    private ByteBuffer latestView;
    /** The open round's average, built chunk by chunk as chunks become final. */
    private UnsafeBuffer next;
    private ByteBuffer nextView;
    private final ReentrantLock latestLock = new ReentrantLock();
    private volatile long latestRound = -1;
    /** Contributors per chunk of the latest average (the header's aux of an answer). */
    private final int[] latestAux;

    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();

    // Round being collected.
    private long firstPushNs = -1;
    private long averageNs;
    /** Payload bytes pushed for the open round so far (read by other threads: monitoring and tests). */
    private volatile long openRoundBytes;


    // A SEED being collected (allocated at the first SEED: most servers are never seeded this way).
    private UnsafeBuffer seedBuffer;
    private boolean[] seedReceived;
    private int seedChunks;
    private long seedRound = Long.MIN_VALUE;

    /**
     * @param averages over IPC the one publication every local worker reads; null over UDP, where
     *                 each worker's stream is opened through {@code aeron} when it says HELLO
     */
    ShardServer(int shard, ServerConfig config, Aeron aeron, Subscription subscription, Publication averages, DropCounters drops,
                Consumer<ShardRoundStats> statsListener, long incarnation) {
        this.shard = shard;
        this.incarnation = incarnation;
        this.job = config.job();
        this.layout = job.layout();
        this.chunkCount = layout.chunkCount(shard);
        this.quorum = config.quorum();
        this.roundTimeoutNs = config.roundTimeout().toNanos();
        this.subscription = subscription;
        this.drops = drops;
        this.report = new RoundReport(shard, drops, statsListener);
        this.pushCodecs = new MessageCodec[job.workers() + 1]; // and the driver's (its control key)
        MessageCodec shared = job.perWorkerKeys() ? null : new MessageCodec(job.jobId(), job.keysOf(0).push(), job.mac());
        this.controlCodec = new MessageCodec(job.jobId(), job.controlKey(), job.mac());
        for (int w = 0; w < job.workers(); w++) {
            pushCodecs[w] = shared != null ? shared : new MessageCodec(job.jobId(), job.keysOf(w).push(), job.mac());
        }
        pushCodecs[job.driverId()] = controlCodec;
        this.validator = new InboundValidator(controlCodec, MessageHeader.LENGTH + layout.maxChunkBytes(), drops);
        // Honest senders: W workers (several share a session when they share a host's driver), and
        // for a while those of an earlier attempt whose images have not timed out yet.
        this.reassembler = new BoundedReassembler(validator, this, 4 * job.workers() + 16,
            job.channel().transport() == Channel.Transport.UDP, "shard " + shard + "'s push stream");
        this.reassembler.bind(subscription);
        this.accumulator = new ShardAccumulator(layout, shard, job.workers());
        // A worker waits twice the round time-out for an answer: the interval stays well inside it.
        long answerIntervalNs = Math.max(MIN_ANSWER_INTERVAL_NS, Math.min(FULL_ANSWER_INTERVAL_NS, roundTimeoutNs / 4));
        this.pullAnswers = new AnswerLimiter(job.workers() + 1, answerIntervalNs);
        this.resendAnswers = new AnswerLimiter(job.workers() + 1, answerIntervalNs);
        this.tickets = new int[job.workers() + 1];
        this.helloStamps = new long[job.workers() + 1];
        java.util.Arrays.fill(helloStamps, Long.MIN_VALUE);
        this.latestAux = new int[chunkCount];
        this.latestView = ByteBuffer.allocateDirect(layout.shardBytes(shard)).order(ByteOrder.LITTLE_ENDIAN);
        this.latest = new UnsafeBuffer(latestView);
        this.nextView = ByteBuffer.allocateDirect(layout.shardBytes(shard)).order(ByteOrder.LITTLE_ENDIAN);
        this.next = new UnsafeBuffer(nextView);
        this.sender = new AverageSender(shard, job, new AverageSender.Source() {
            @Override
            public long latestRound() {
                return latestRound;
            }

            @Override
            public UnsafeBuffer buffer(long round) {
                return round <= latestRound ? latest : next;
            }

            @Override
            public ByteBuffer view(long round) {
                return round <= latestRound ? latestView : nextView;
            }

            @Override
            public int latestAux(int chunk) {
                return latestAux[chunk];
            }
        }, report::sent, aeron, averages, CHUNKS_PER_CYCLE, Math.max(roundTimeoutNs, java.util.concurrent.TimeUnit.SECONDS.toNanos(5)));
    }

    @Override
    public String roleName() {
        return "paramserver-shard-" + shard;
    }

    @Override
    public int doWork() {
        int work = runCommands();
        work += maybeApplySeed();
        long now = System.nanoTime();
        // Close before polling too: once every chunk of the round went out early, a worker may push
        // the next round at once, and that push must find the round closed (not a FUTURE_ROUND).
        work += maybeCloseRound(now);
        work += reassembler.poll(subscription, FRAGMENT_LIMIT);
        work += maybeCloseRound(now);
        work += sender.send(incarnation);
        return work;
    }

    @Override
    public void onClose() {
        sender.close();
    }

    long latestRound() {
        return latestRound;
    }

    long openRoundBytes() {
        return openRoundBytes;
    }

    long fullAnswers() {
        return fullAnswers;
    }

    long lastAcceptNs() {
        return lastAcceptNs;
    }

    /** For Aeron's unavailable-image callback: frees the reassembly state of a session that went away. */
    BoundedReassembler reassembler() {
        return reassembler;
    }

    /** Runs {@code task} on the agent thread; the caller waits via the returned future. */
    void submit(Runnable task) {
        commands.add(task);
    }

    /** Seeds the latest average and its round (called on the agent thread via {@link #submit}). */
    void seed(long round, DirectBuffer vector, int vectorOffset) {
        if (sender.answering() || !sender.queueEmpty()) {
            throw new IllegalStateException("cannot seed shard " + shard + " while it is sending an average");
        }
        replaceLatest(vector, vectorOffset + (int) layout.shardStartByte(shard), round);
    }

    /**
     * Makes {@code src} (the shard's bytes from {@code offset}) the latest average as {@code round}
     * and forgets the open round's pushes and any seed being collected.
     */
    private void replaceLatest(DirectBuffer src, int offset, long round) {
        latestLock.lock();
        try {
            latest.putBytes(0, src, offset, layout.shardBytes(shard));
            latestRound = round;
        } finally {
            latestLock.unlock();
        }
        accumulator.reset();
        openRoundBytes = 0;
        java.util.Arrays.fill(latestAux, 0);
        firstPushNs = -1;
        averageNs = 0;
        report.forget();
        seedChunks = 0;
        if (seedReceived != null) {
            java.util.Arrays.fill(seedReceived, false);
        }
    }

    /**
     * Copies the latest average into {@code dst} at the shard's offset; returns its round. Called
     * from any thread, with the lock held by the caller (see {@link #lock()}).
     */
    void copyLatest(UnsafeBuffer dst) {
        latest.getBytes(0, dst, (int) layout.shardStartByte(shard), layout.shardBytes(shard));
    }

    void lock() {
        latestLock.lock();
    }

    void unlock() {
        latestLock.unlock();
    }

    private int runCommands() {
        int n = 0;
        Runnable task;
        while ((task = commands.poll()) != null) {
            task.run();
            n++;
        }
        return n;
    }

    // Inbound rules (see InboundValidator): the checks in order, then the one place a message acts.

    @Override
    public boolean wanted(MessageHeader header) {
        return true;
    }

    @Override
    public DropReason shape(MessageHeader header) {
        short type = header.type();
        if (type == MessageHeader.PUSH || type == MessageHeader.SEED) {
            return checkPushShape(header);
        }
        if (type == MessageHeader.PULL || type == MessageHeader.ROUND_QUERY) {
            return checkRequestShape(header);
        }
        if (type == MessageHeader.HELLO && job.perWorkerKeys()) {
            return checkHelloShape(header);
        }
        return DropReason.UNEXPECTED_TYPE;
    }

    @Override
    public MessageCodec verifier(MessageHeader header) {
        // A SEED replaces the model: only the driver, holding the job's secret, may send one.
        return header.type() == MessageHeader.SEED ? controlCodec : pushCodecs[header.workerId()];
    }

    @Override
    public DropReason state(MessageHeader header) {
        switch (header.type()) {
            case MessageHeader.PUSH:
                return checkRound(header);
            case MessageHeader.SEED:
                return header.round() <= latestRound || header.round() < seedRound
                    ? DropReason.STALE_ROUND // a round number is never used twice
                    : null;
            case MessageHeader.PULL:
                return checkPull(header);
            case MessageHeader.HELLO:
                // The stamp orders a worker's HELLOs: a recorded older one cannot move its stream back.
                return header.round() < helloStamps[header.workerId()] ? DropReason.REPLAYED : null;
            default: // ROUND_QUERY
                return sender.canQueueInfo(header.workerId()) ? null : DropReason.RATE_LIMITED;
        }
    }

    @Override
    public boolean carriesFloats(MessageHeader header) {
        return header.type() != MessageHeader.HELLO; // PUSH and SEED; the others but HELLO have no payload
    }

    @Override
    public void refused(MessageHeader header, DropReason reason) {
        if (reason == DropReason.STALE_ROUND && header.type() == MessageHeader.PUSH
            && resendAnswers.allows(header.workerId(), latestRound, System.nanoTime())) {
            // A late worker pushed for a round that closed without it (by quorum), or a worker whose
            // average got lost asks again: send the latest average once more, so that its
            // pushAndAwait completes (the round it pushed for) or learns that the server moved on
            // and adopts the newer one (the push itself is dropped). Without this, a worker more
            // than one round behind would wait for a round that nobody sends any more. Limited per
            // worker, as PULL answers are: once per closed round, else once per interval.
            resendAnswers.granted(header.workerId(), latestRound, System.nanoTime());
            requestAnswer(header.workerId());
        }
    }

    private void requestAnswer(int worker) {
        fullAnswers++;
        sender.requestAnswer(worker);
    }

    @Override
    public void accept(MessageHeader header) {
        lastAcceptNs = System.nanoTime();
        switch (header.type()) {
            case MessageHeader.PULL -> {
                tickets[header.workerId()] = 0; // used up
                pullAnswers.granted(header.workerId(), latestRound, System.nanoTime());
                requestAnswer(header.workerId());
            }
            case MessageHeader.ROUND_QUERY -> {
                int ticket;
                do {
                    ticket = ticketRandom.nextInt();
                } while (ticket == 0);
                tickets[header.workerId()] = ticket;
                sender.queueInfo(header.workerId(), header.byteOffset(), ticket);
            }
            case MessageHeader.HELLO -> {
                helloStamps[header.workerId()] = header.round();
                if (header.payloadLength() == 0) {
                    sender.leave(header.workerId());
                } else {
                    sender.join(header.workerId(), Endpoints.of(header));
                }
            }
            case MessageHeader.SEED -> collectSeed(header);
            default -> acceptPush(header);
        }
    }

    private void acceptPush(MessageHeader header) {
        long t0 = System.nanoTime();
        if (firstPushNs < 0) {
            firstPushNs = t0;
        }
        int chunk = header.chunkIndex();
        openRoundBytes += header.payloadLength();
        if (accumulator.add(header.workerId(), chunk, header.buffer(), header.payloadOffset(), header.payloadLength(), next)) {
            averageNs += System.nanoTime() - t0;
            sender.enqueue(latestRound + 1, chunk, job.workers(), true);
        }
    }

    /**
     * A PULL must name this incarnation and carry the ticket its worker's latest round query was
     * given (unused), and the worker may not have had a full answer this round and second.
     */
    private DropReason checkPull(MessageHeader header) {
        long named = (header.chunkIndex() & 0xFFFFFFFFL) | ((long) header.chunkCount() << 32);
        if (named != incarnation) {
            return DropReason.STALE_INCARNATION;
        }
        int worker = header.workerId();
        int ticket = (int) header.byteOffset();
        if (ticket == 0 || ticket != tickets[worker] || header.byteOffset() != ticket) {
            return DropReason.REPLAYED;
        }
        if (!pullAnswers.allows(worker, latestRound, System.nanoTime())) {
            return DropReason.RATE_LIMITED;
        }
        return null;
    }

    /** One validated SEED chunk: kept aside until the shard has all of them (see {@link #maybeApplySeed}). */
    private void collectSeed(MessageHeader header) {
        long round = header.round();
        if (seedBuffer == null) {
            seedBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(layout.shardBytes(shard)).order(ByteOrder.LITTLE_ENDIAN));
            seedReceived = new boolean[chunkCount];
        }
        if (round > seedRound) {
            // A newer seed replaces one still being collected.
            seedRound = round;
            java.util.Arrays.fill(seedReceived, false);
            seedChunks = 0;
        }
        int chunk = header.chunkIndex();
        if (seedReceived[chunk]) {
            drops.increment(DropReason.DUPLICATE_CHUNK);
            return;
        }
        seedBuffer.putBytes(layout.chunkOffsetInShard(chunk), header.buffer(), header.payloadOffset(), header.payloadLength());
        seedReceived[chunk] = true;
        seedChunks++;
    }

    /**
     * A complete SEED becomes the latest average, and the open round's pushes so far are dropped;
     * not while an average is being sent (those read the buffers it replaces).
     */
    private int maybeApplySeed() {
        if (seedBuffer == null || seedChunks < chunkCount || sender.answering() || !sender.queueEmpty()) {
            return 0;
        }
        LOG.info("shard {}: seeded with round {}{}", shard, seedRound,
            accumulator.activeWorkers() > 0 ? " (dropping " + accumulator.activeWorkers() + " workers' pushes of the open round)" : "");
        replaceLatest(seedBuffer, 0, seedRound);
        return 1;
    }

    private DropReason checkPushShape(MessageHeader header) {
        int worker = header.workerId();
        int chunk = header.chunkIndex();
        // Pushes come from the workers; a SEED may come from the driver's id too (its key decides).
        int maxWorker = header.type() == MessageHeader.SEED ? job.driverId() : job.workers() - 1;
        if (worker < 0 || worker > maxWorker || header.shard() != shard
            || header.chunkCount() != chunkCount || chunk < 0 || chunk >= chunkCount
            || header.byteOffset() != layout.chunkByteOffset(shard, chunk)
            || header.payloadLength() != layout.chunkBytes(shard, chunk)) {
            return DropReason.OUT_OF_RANGE;
        }
        return null;
    }

    private DropReason checkRequestShape(MessageHeader header) {
        int worker = header.workerId();
        if (worker < 0 || worker > job.driverId() || header.shard() != shard || header.payloadLength() != 0) {
            return DropReason.OUT_OF_RANGE;
        }
        return null;
    }

    /** A HELLO names the worker's endpoint for this shard's averages (see {@link Endpoints}), or nothing: goodbye. */
    private DropReason checkHelloShape(MessageHeader header) {
        int worker = header.workerId();
        int length = header.payloadLength();
        if (worker < 0 || worker > job.driverId() || header.shard() != shard) {
            return DropReason.OUT_OF_RANGE;
        }
        return length == 0 || Endpoints.valid(header.buffer(), header.payloadOffset(), length) ? null : DropReason.OUT_OF_RANGE;
    }

    private DropReason checkRound(MessageHeader header) {
        long open = latestRound + 1;
        long round = header.round();
        if (round < open) {
            return DropReason.STALE_ROUND;
        }
        if (round > open) {
            return DropReason.FUTURE_ROUND;
        }
        if (accumulator.hasChunk(header.workerId(), header.chunkIndex())) {
            return DropReason.DUPLICATE_CHUNK;
        }
        return null;
    }

    private int maybeCloseRound(long now) {
        if (firstPushNs < 0 || sender.answering() || sender.holdsRoundUpTo(latestRound)) {
            return 0;
        }
        int complete = accumulator.completeWorkers();
        boolean all = complete == job.workers();
        boolean byQuorum = !all && complete >= quorum && now - firstPushNs >= roundTimeoutNs;
        if (!all && !byQuorum) {
            return 0;
        }
        long t0 = System.nanoTime();
        long round = latestRound + 1;
        for (int c = 0; c < chunkCount; c++) {
            latestAux[c] = accumulator.contributors(c);
            if (!accumulator.isFinal(c)) {
                accumulator.averageInto(c, next);
                sender.enqueue(round, c, accumulator.contributors(c), false);
            }
        }
        latestLock.lock();
        try {
            UnsafeBuffer b = latest;
            ByteBuffer v = latestView;
            latest = next;
            latestView = nextView;
            next = b;
            nextView = v;
            latestRound = round;
        } finally {
            latestLock.unlock();
        }
        long t1 = System.nanoTime();
        int partial = accumulator.activeWorkers() - complete;
        long bytesIn = accumulator.bytesIn();
        // A fast worker may push the next round while slow ones still read this average.
        accumulator.reset();
        openRoundBytes = 0;
        long collectNs = t0 - firstPushNs;
        long avgNs = averageNs + (t1 - t0);
        firstPushNs = -1;
        averageNs = 0;
        // A pending answer stays pending: chunks sent early are not an answer (see EARLY_SENDER).
        report.closed(round, complete, partial, byQuorum, collectNs, avgNs, bytesIn, !sender.holdsRoundUpTo(round));
        return 1;
    }
}
