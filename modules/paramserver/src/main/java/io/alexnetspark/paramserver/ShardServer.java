package io.alexnetspark.paramserver;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
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
 * validates and accumulates them, closes rounds, sends averages, answers PULLs.
 *
 * <p>Invariant: the open round is always {@code latestRound + 1}. Sending never blocks: a
 * back-pressured offer is retried on the next duty cycle while pushes keep being received. A
 * round is closed only when no send is in progress, because the send reads the {@code latest}
 * buffer that closing overwrites.
 */
final class ShardServer implements Agent, FragmentHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ShardServer.class);
    private static final int FRAGMENT_LIMIT = 64;
    /** Chunks offered per duty cycle at most, so receiving is never starved by a long send. */
    private static final int CHUNKS_PER_CYCLE = 4;

    private final int shard;
    private final JobSpec job;
    private final ShardLayout layout;
    private final int quorum;
    private final long roundTimeoutNs;
    private final Subscription subscription;
    private final Publication publication;
    private final DropCounters drops;
    private final Consumer<ShardRoundStats> statsListener;

    private final MessageCodec codec;
    private final MessageHeader header = new MessageHeader();
    private final InboundBuffer inbound;
    private final FragmentAssembler assembler;
    private final ShardAccumulator accumulator;

    /** The latest complete average of this shard; written under {@link #latestLock}. */
    private final UnsafeBuffer latest;
    private final ByteBuffer latestView;
    private final ReentrantLock latestLock = new ReentrantLock();
    private volatile long latestRound = -1;

    private final UnsafeBuffer outHeader = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
    private final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();

    // Round being collected.
    private long firstPushNs = -1;

    // Send in progress (of latestRound), or none.
    private boolean sending;
    private boolean sendSigned;
    private int sendChunk;
    private long sendStartNs;
    private long sendBytes;
    private boolean pullPending;
    // Stats of the round being sent, completed when its send ends (null for a PULL answer).
    private boolean sendIsRoundClose;
    private int statsComplete;
    private int statsPartial;
    private boolean statsByQuorum;
    private long statsCollectNs;
    private long statsAverageNs;
    private long statsBytesIn;
    private final int[] sentContributors;

    ShardServer(int shard, ServerConfig config, Subscription subscription, Publication publication, DropCounters drops,
                Consumer<ShardRoundStats> statsListener) {
        this.shard = shard;
        this.job = config.job();
        this.layout = job.layout();
        this.quorum = config.quorum();
        this.roundTimeoutNs = config.roundTimeout().toNanos();
        this.subscription = subscription;
        this.publication = publication;
        this.drops = drops;
        this.statsListener = statsListener;
        this.codec = new MessageCodec(job.jobId(), job.secret());
        this.inbound = new InboundBuffer(job.channel().mtu() + MessageHeader.LENGTH);
        this.assembler = new FragmentAssembler(this, MessageHeader.LENGTH + layout.maxChunkBytes(), false);
        this.accumulator = new ShardAccumulator(layout, shard, job.workers());
        this.sentContributors = new int[layout.chunkCount(shard)];
        this.latestView = ByteBuffer.allocateDirect(layout.shardBytes(shard)).order(ByteOrder.LITTLE_ENDIAN);
        this.latest = new UnsafeBuffer(latestView);
    }

    @Override
    public String roleName() {
        return "paramserver-shard-" + shard;
    }

    @Override
    public int doWork() {
        int work = runCommands();
        work += subscription.poll(assembler, FRAGMENT_LIMIT);
        work += maybeCloseRound(System.nanoTime());
        work += send();
        return work;
    }

    long latestRound() {
        return latestRound;
    }

    /** Runs {@code task} on the agent thread; the caller waits via the returned future. */
    void submit(Runnable task) {
        commands.add(task);
    }

    /** Seeds the latest average and its round (called on the agent thread via {@link #submit}). */
    void seed(long round, DirectBuffer vector, int vectorOffset) {
        if (sending) {
            throw new IllegalStateException("cannot seed shard " + shard + " while it is sending an average");
        }
        latestLock.lock();
        try {
            latest.putBytes(0, vector, vectorOffset + (int) layout.shardStartByte(shard), layout.shardBytes(shard));
            latestRound = round;
        } finally {
            latestLock.unlock();
        }
        accumulator.reset();
        java.util.Arrays.fill(sentContributors, 0);
        firstPushNs = -1;
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

    @Override
    public void onFragment(DirectBuffer buffer, int offset, int length, Header aeronHeader) {
        if (buffer.byteArray() == null && length > inbound.capacity()) {
            drops.increment(DropReason.TRUNCATED);
            return;
        }
        DirectBuffer view = inbound.arrayBacked(buffer, offset, length);
        int at = view == buffer ? offset : 0;
        DropReason reason = codec.checkFrame(view, at, length, header);
        if (reason == null) {
            short type = header.type();
            if (type == MessageHeader.PUSH) {
                reason = checkPushShape();
            } else if (type == MessageHeader.PULL) {
                reason = checkPullShape();
            } else {
                reason = DropReason.UNEXPECTED_TYPE;
            }
        }
        if (reason == null) {
            reason = codec.checkIntegrity(view, at, header);
        }
        if (reason == null && header.type() == MessageHeader.PUSH) {
            reason = checkRound();
            if (reason == DropReason.STALE_ROUND && header.round() == latestRound
                && header.chunkIndex() == layout.chunkCount(shard) - 1) {
                // A late worker finished pushing the round that just closed without it: send that
                // average once more so its pushAndAwait completes (the push itself is dropped).
                pullPending = true;
            }
            if (reason == null && !MessageCodec.allFinite(view, header.payloadOffset(), header.payloadLength())) {
                reason = DropReason.NOT_FINITE;
            }
        }
        if (reason != null) {
            drops.increment(reason);
            return;
        }
        if (header.type() == MessageHeader.PULL) {
            pullPending = true;
            return;
        }
        if (firstPushNs < 0) {
            firstPushNs = System.nanoTime();
        }
        accumulator.add(header.workerId(), header.chunkIndex(), view, header.payloadOffset(), header.payloadLength());
    }

    private DropReason checkPushShape() {
        int worker = header.workerId();
        int chunk = header.chunkIndex();
        if (worker < 0 || worker >= job.workers() || header.shard() != shard
            || header.chunkCount() != layout.chunkCount(shard) || chunk < 0 || chunk >= layout.chunkCount(shard)
            || header.byteOffset() != layout.chunkByteOffset(shard, chunk)
            || header.payloadLength() != layout.chunkBytes(shard, chunk)) {
            return DropReason.OUT_OF_RANGE;
        }
        return null;
    }

    private DropReason checkPullShape() {
        int worker = header.workerId();
        if (worker < 0 || worker >= job.workers() || header.shard() != shard || header.payloadLength() != 0) {
            return DropReason.OUT_OF_RANGE;
        }
        return null;
    }

    private DropReason checkRound() {
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
        if (sending || firstPushNs < 0) {
            return 0;
        }
        int complete = accumulator.completeWorkers();
        boolean all = complete == job.workers();
        boolean byQuorum = !all && complete >= quorum && now - firstPushNs >= roundTimeoutNs;
        if (!all && !byQuorum) {
            return 0;
        }
        long t0 = System.nanoTime();
        latestLock.lock();
        try {
            accumulator.averageInto(latest);
            latestRound = latestRound + 1;
        } finally {
            latestLock.unlock();
        }
        long t1 = System.nanoTime();
        sendIsRoundClose = true;
        statsComplete = complete;
        statsPartial = accumulator.activeWorkers() - complete;
        statsByQuorum = byQuorum;
        statsCollectNs = t0 - firstPushNs;
        statsAverageNs = t1 - t0;
        statsBytesIn = accumulator.bytesIn();
        // A fast worker may push the next round while slow ones still read this average: start the
        // next round now, keeping only the contributor counts the send needs.
        accumulator.copyContributors(sentContributors);
        accumulator.reset();
        pullPending = false; // this broadcast of the newest average answers any pending PULL too
        startSend(t1);
        firstPushNs = -1;
        return 1;
    }

    private void startSend(long now) {
        sending = true;
        sendSigned = false;
        sendChunk = 0;
        sendStartNs = now;
        sendBytes = 0;
    }

    /** Offers up to {@link #CHUNKS_PER_CYCLE} chunks of the latest average; never blocks. */
    private int send() {
        if (!sending) {
            if (!pullPending) {
                return 0;
            }
            pullPending = false;
            sendIsRoundClose = false;
            startSend(System.nanoTime());
        }
        long round = latestRound;
        int chunks = round < 0 ? 0 : layout.chunkCount(shard);
        int work = 0;
        while (work < CHUNKS_PER_CYCLE) {
            int length = chunks == 0 ? 0 : layout.chunkBytes(shard, sendChunk);
            int offsetInShard = chunks == 0 ? 0 : layout.chunkOffsetInShard(sendChunk);
            if (!sendSigned) {
                int aux = chunks == 0 ? 0 : sentContributors[sendChunk];
                MessageHeader.write(outHeader, 0, MessageHeader.AVERAGE, job.jobId(), round,
                    layout.shardStartByte(shard) + offsetInShard, -1, shard, sendChunk, chunks, length, aux);
                latestView.limit(offsetInShard + length).position(offsetInShard);
                codec.sign(outHeader, latestView);
                sendSigned = true;
            }
            long result = length == 0
                ? publication.offer(outHeader, 0, MessageHeader.LENGTH)
                : publication.offer(outHeader, 0, MessageHeader.LENGTH, latest, offsetInShard, length);
            if (result > 0) {
                work++;
                sendBytes += MessageHeader.LENGTH + length;
                sendSigned = false;
                sendChunk++;
                if (sendChunk >= chunks) {
                    finishSend();
                    return work;
                }
            } else if (Offers.isTransient(result)) {
                return work; // retried next duty cycle; receiving goes on meanwhile
            } else if (result == Publication.NOT_CONNECTED) {
                // Nobody subscribed: nobody to tell. Workers that come later PULL the latest average.
                LOG.warn("shard {}: no worker connected, average of round {} not sent", shard, round);
                finishSend();
                return work;
            } else {
                throw Offers.failure(result, "shard " + shard + " sending the average of round " + round);
            }
        }
        return work;
    }

    private void finishSend() {
        sending = false;
        if (sendIsRoundClose) {
            sendIsRoundClose = false;
            if (statsListener != null) {
                statsListener.accept(new ShardRoundStats(shard, latestRound, statsComplete, statsPartial, statsByQuorum,
                    statsCollectNs, statsAverageNs, System.nanoTime() - sendStartNs, statsBytesIn, sendBytes, drops.total()));
            }
        }
    }
}
