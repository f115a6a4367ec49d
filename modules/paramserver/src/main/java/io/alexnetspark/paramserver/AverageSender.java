package io.alexnetspark.paramserver;

import io.aeron.Aeron;
import io.aeron.Publication;
import java.nio.ByteBuffer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shard's outbound side: the chunks of averages queued for every worker, the answers for one
 * worker (its PULL, or the resend for its late push), and the answers to round queries. Never
 * blocks: what is back-pressured is offered again on the next duty cycle.
 *
 * <p>Destinations. Over UDP each worker has its own: a publication to the endpoint the worker
 * named in its authenticated HELLO ({@link #join}), whose messages are signed with that worker's
 * average key. So only the job's workers receive averages, none can forge one another accepts, and
 * an answer meant for one worker goes to that worker alone. A stream's flow control is its own: a
 * host sending status messages can at most speed a stream up, not hold it back (Aeron's unicast
 * flow control only moves forward). Over IPC there is one destination read by every local worker,
 * signed with the job's shared key (one process of one user: see {@link JobSpec#perWorkerKeys}).
 *
 * <p>Pacing. A queued chunk leaves the queue once every joined destination took it, so the
 * slowest worker still paces the next round's close, as before (synchronous averaging needs it).
 * But a destination back-pressured for longer than {@code detachAfterNs} while the others are done
 * is skipped for what is queued (logged): a stuck or hostile receiver holds the others back for a
 * bounded time only.
 */
final class AverageSender {

    private static final Logger LOG = LoggerFactory.getLogger(AverageSender.class);
    private static final int MAX_INFOS = 8;
    /** {@code Destination.signedAt} when its header holds the current answer chunk. */
    private static final long ANSWER_SIGNED = -2;

    /** What the shard exposes to its sender: the two average buffers and the latest round's facts. */
    interface Source {
        long latestRound();

        /** The buffer holding round {@code round}'s average: {@code latest} if closed, else {@code next}. */
        UnsafeBuffer buffer(long round);

        ByteBuffer view(long round);

        int latestAux(int chunk);
    }

    /** Told when every destination took the last queued chunk of a round, with the round's send time and bytes. */
    interface RoundSent {
        void roundSent(long round, long sendNs, long bytes);
    }

    private final int shard;
    private final JobSpec job;
    private final ShardLayout layout;
    private final int chunkCount;
    private final int chunksPerCycle;
    private final long detachAfterNs;
    private final Source source;
    private final RoundSent roundSent;
    private final Destination[] destinations;
    private final boolean perWorker;
    private final Aeron aeron;
    private final int averageStreamId;
    private final String channelShape;

    // The queue of chunks for every destination, by absolute position: [head, tail).
    private final long[] queueRound;
    private final int[] queueChunk;
    private final int[] queueAux;
    private final boolean[] queueEarly;
    private long head;
    private long tail;
    private long sendRound = Long.MIN_VALUE;
    private long sendStartNs;
    private long sendBytes;
    private long warnedRound = Long.MIN_VALUE;

    /**
     * @param shared the one destination of the IPC case (null over UDP, where workers join one by one)
     */
    AverageSender(int shard, JobSpec job, Source source, RoundSent roundSent, Aeron aeron, Publication shared,
                  int chunksPerCycle, long detachAfterNs) {
        this.shard = shard;
        this.job = job;
        this.layout = job.layout();
        this.chunkCount = layout.chunkCount(shard);
        this.source = source;
        this.roundSent = roundSent;
        this.aeron = aeron;
        this.chunksPerCycle = chunksPerCycle;
        this.detachAfterNs = detachAfterNs;
        this.perWorker = job.perWorkerKeys();
        this.averageStreamId = job.channel().averageStreamId(shard);
        // Each worker stream holds averages of one shard for one worker: smaller terms than the pushes'.
        int term = Math.min(job.channel().termLength(), 16 * 1024 * 1024);
        this.channelShape = "mtu=" + job.channel().mtu() + "|term-length=" + term;
        int capacity = 2 * chunkCount + 2;
        this.queueRound = new long[capacity];
        this.queueChunk = new int[capacity];
        this.queueAux = new int[capacity];
        this.queueEarly = new boolean[capacity];
        if (perWorker) {
            destinations = new Destination[job.workers() + 1]; // and the driver's (JobSpec#driverId)
            for (int w = 0; w < destinations.length; w++) {
                destinations[w] = new Destination(new MessageCodec(job.jobId(), JobKeys.average(job.secret(), job.jobId(), w), job.mac()));
            }
        } else {
            byte[] key = JobKeys.shared(job.secret(), job.jobId());
            destinations = new Destination[] {new Destination(new MessageCodec(job.jobId(), key, job.mac()))};
            destinations[0].publication = shared;
        }
    }

    /** The destination that worker {@code w}'s answers go to. */
    private Destination of(int worker) {
        return perWorker ? destinations[worker] : destinations[0];
    }

    /**
     * UDP: worker {@code w} receives this shard's averages at {@code endpoint} from now on (a new
     * endpoint replaces its old one: the worker restarted). Blocks for the media driver's answer.
     */
    void join(int worker, String endpoint) {
        Destination d = destinations[worker];
        if (endpoint.equals(d.endpoint)) {
            return;
        }
        Publication old = d.publication;
        d.publication = aeron.addExclusivePublication("aeron:udp?endpoint=" + endpoint + "|" + channelShape, averageStreamId);
        d.endpoint = endpoint;
        d.cursor = tail; // what is queued now belongs to rounds it will PULL if it needs them
        d.signedAt = -1;
        d.answering = false;
        d.answerPending = false;
        d.infoCount = 0;
        CloseHelper.quietClose(old);
        LOG.info("shard {}: worker {} receives averages at {}", shard, worker, endpoint);
    }

    /** Worker {@code w} (its client closed) receives nothing more: its stream is closed at once. */
    void leave(int worker) {
        Destination d = destinations[worker];
        CloseHelper.quietClose(d.publication);
        d.publication = null;
        d.endpoint = null;
        d.cursor = tail;
        d.answering = false;
        d.answerPending = false;
        d.infoCount = 0;
        LOG.info("shard {}: worker {} left", shard, worker);
    }

    /** Whether an answer is being sent to some destination (it reads {@code latest}: the round must not close meanwhile). */
    boolean answering() {
        for (Destination d : destinations) {
            if (d.answering) {
                return true;
            }
        }
        return false;
    }

    /** Whether a chunk of a round up to {@code round} is still queued for some destination. */
    boolean holdsRoundUpTo(long round) {
        return head < tail && queueRound[index(head)] <= round;
    }

    boolean queueEmpty() {
        return head == tail;
    }

    /** Queues one chunk of the average of {@code round} for every destination. */
    void enqueue(long round, int chunk, int aux, boolean early) {
        int i = index(tail);
        queueRound[i] = round;
        queueChunk[i] = chunk;
        queueAux[i] = aux;
        queueEarly[i] = early;
        tail++;
        for (Destination d : destinations) {
            if (d.publication == null) {
                d.cursor = tail; // not joined: nothing to send it
            }
        }
    }

    /** Worker {@code w} gets the whole latest average (once what is queued for it went out). */
    void requestAnswer(int worker) {
        Destination d = of(worker);
        if (d.publication != null) {
            d.answerPending = true;
        }
    }

    /** Worker {@code w}'s round query is answered with the shard's latest round, its nonce and its ticket. */
    void queueInfo(int worker, long nonce, int ticket) {
        Destination d = of(worker);
        if (d.publication == null || d.infoCount == MAX_INFOS) {
            return; // the shard's rules refused the query already (canQueueInfo)
        }
        int i = (d.infoHead + d.infoCount++) % MAX_INFOS;
        d.infoNonces[i] = nonce;
        d.infoTickets[i] = ticket;
    }

    /** Whether worker {@code w} may still ask a round query (its queue of answers is not full). */
    boolean canQueueInfo(int worker) {
        Destination d = of(worker);
        return d.publication != null && d.infoCount < MAX_INFOS;
    }

    /** One duty cycle: round-query answers, then queued chunks, then answers, per destination. */
    int send(long incarnation) {
        int work = 0;
        long now = System.nanoTime();
        for (Destination d : destinations) {
            if (d.publication != null) {
                work += answerInfos(d, incarnation);
                work += sendChunks(d, now);
            }
        }
        work += advanceHead(now);
        return work;
    }

    /** An answer in progress first (the round cannot close meanwhile), then the queue, then a pending answer. */
    private int sendChunks(Destination d, long now) {
        int work = 0;
        while (work < chunksPerCycle) {
            if (!d.answering && d.cursor >= tail && d.answerPending) {
                d.answerPending = false;
                d.answering = true;
                d.answerChunk = 0;
                d.answerRound = source.latestRound();
                d.signedAt = -1;
            }
            long result;
            if (d.answering) {
                int chunks = d.answerRound < 0 ? 0 : chunkCount;
                int c = d.answerChunk;
                int length = chunks == 0 ? 0 : layout.chunkBytes(shard, c);
                if (d.signedAt != ANSWER_SIGNED) {
                    sign(d, MessageHeader.SERVER_SENDER, d.answerRound, chunks, c, length, chunks == 0 ? 0 : source.latestAux(c),
                        source.view(d.answerRound));
                    d.signedAt = ANSWER_SIGNED;
                }
                result = offer(d, source.buffer(d.answerRound), chunks == 0 ? 0 : layout.chunkOffsetInShard(c), length);
                if (result > 0) {
                    work++;
                    d.signedAt = -1;
                    d.blockedSinceNs = 0;
                    if (++d.answerChunk >= chunks) {
                        d.answering = false;
                    }
                    continue;
                }
                if (result == Publication.NOT_CONNECTED) {
                    d.answering = false;
                    d.signedAt = -1;
                    continue;
                }
            } else if (d.cursor < tail) {
                int i = index(d.cursor);
                long round = queueRound[i];
                int c = queueChunk[i];
                int length = layout.chunkBytes(shard, c);
                if (d.signedAt != d.cursor) {
                    sign(d, queueEarly[i] ? MessageHeader.EARLY_SENDER : MessageHeader.SERVER_SENDER, round, chunkCount, c, length,
                        queueAux[i], source.view(round));
                    d.signedAt = d.cursor;
                    if (round != sendRound) {
                        sendRound = round;
                        sendStartNs = now;
                        sendBytes = 0;
                    }
                }
                result = offer(d, source.buffer(round), layout.chunkOffsetInShard(c), length);
                if (result > 0) {
                    sendBytes += MessageHeader.LENGTH + length;
                    d.cursor++;
                    d.blockedSinceNs = 0;
                    work++;
                    continue;
                }
                if (result == Publication.NOT_CONNECTED) {
                    d.cursor = tail; // the worker is gone: it PULLs if it comes back
                    d.signedAt = -1;
                    continue;
                }
            } else {
                return work;
            }
            if (!Offers.isTransient(result)) {
                throw Offers.failure(result, "shard " + shard + " sending an average");
            }
            if (d.blockedSinceNs == 0) {
                d.blockedSinceNs = now;
            }
            return work; // back-pressured: retried next duty cycle, receiving goes on meanwhile
        }
        return work;
    }

    /** Moves the queue's head past what every destination took; skips a destination stuck for too long. */
    private int advanceHead(long now) {
        long min = tail;
        for (Destination d : destinations) {
            if (d.publication != null) {
                min = Math.min(min, d.cursor);
            }
        }
        if (min == head && head < tail) {
            for (int w = 0; w < destinations.length; w++) {
                Destination d = destinations[w];
                if (d.publication != null && d.cursor == head && d.blockedSinceNs != 0 && now - d.blockedSinceNs > detachAfterNs) {
                    LOG.warn("shard {}: {} has not taken an average chunk for {} ms: skipping the {} chunks queued for it "
                        + "(it will time out or pull)", shard, perWorker ? "worker " + w : "the averages stream",
                        (now - d.blockedSinceNs) / 1_000_000, tail - d.cursor);
                    d.cursor = tail;
                    d.blockedSinceNs = 0;
                    d.signedAt = -1;
                }
            }
            return 0;
        }
        int work = 0;
        while (head < min) {
            int i = index(head);
            long round = queueRound[i];
            head++;
            work++;
            if (head == tail || queueRound[index(head)] != round) {
                roundSent.roundSent(round, sendRound == round ? now - sendStartNs : 0, sendRound == round ? sendBytes : 0);
            }
        }
        return work;
    }

    private int answerInfos(Destination d, long incarnation) {
        int work = 0;
        while (d.infoCount > 0) {
            MessageHeader.write(d.infoHeader, 0, MessageHeader.ROUND_INFO, job.jobId(), source.latestRound(), d.infoNonces[d.infoHead],
                MessageHeader.SERVER_SENDER, shard, (int) incarnation, (int) (incarnation >>> 32), 0, d.infoTickets[d.infoHead]);
            d.codec.sign(d.infoHeader, null);
            long result = d.publication.offer(d.infoHeader, 0, MessageHeader.LENGTH);
            if (result > 0 || result == Publication.NOT_CONNECTED) {
                d.infoHead = (d.infoHead + 1) % MAX_INFOS;
                d.infoCount--;
                work++;
            } else if (Offers.isTransient(result)) {
                return work;
            } else {
                throw Offers.failure(result, "shard " + shard + " answering a round query");
            }
        }
        return work;
    }

    private void sign(Destination d, int sender, long round, int chunks, int c, int length, int aux, ByteBuffer view) {
        int offsetInShard = chunks == 0 ? 0 : layout.chunkOffsetInShard(c);
        MessageHeader.write(d.outHeader, 0, MessageHeader.AVERAGE, job.jobId(), round,
            layout.shardStartByte(shard) + offsetInShard, sender, shard, c, chunks, length, aux);
        view.limit(offsetInShard + length).position(offsetInShard);
        d.codec.sign(d.outHeader, view);
    }

    private long offer(Destination d, UnsafeBuffer buffer, int offsetInShard, int length) {
        long result = length == 0
            ? d.publication.offer(d.outHeader, 0, MessageHeader.LENGTH)
            : d.publication.offer(d.outHeader, 0, MessageHeader.LENGTH, buffer, offsetInShard, length);
        if (result == Publication.NOT_CONNECTED && warnedRound != source.latestRound()) {
            // Nobody subscribed: nobody to tell. Workers that come later PULL the latest average.
            warnedRound = source.latestRound();
            LOG.warn("shard {}: a worker is not connected, average chunks around round {} not sent to it", shard, source.latestRound());
        }
        return result;
    }

    private int index(long position) {
        return (int) (position % queueRound.length);
    }

    /** Closes the per-worker publications (the IPC one belongs to the server). */
    void close() {
        if (perWorker) {
            for (Destination d : destinations) {
                CloseHelper.quietClose(d.publication);
                d.publication = null;
            }
        }
    }

    /** One receiver of this shard's averages. */
    private static final class Destination {
        final MessageCodec codec;
        final UnsafeBuffer outHeader = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        final UnsafeBuffer infoHeader = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        Publication publication;
        String endpoint;
        /** Next queue position to send. */
        long cursor;
        /** Queue position whose header is signed in outHeader (-1: none, -2: the answer's current chunk). */
        long signedAt = -1;
        long blockedSinceNs;
        boolean answerPending;
        boolean answering;
        long answerRound;
        int answerChunk;
        final long[] infoNonces = new long[MAX_INFOS];
        final int[] infoTickets = new int[MAX_INFOS];
        int infoHead;
        int infoCount;

        Destination(MessageCodec codec) {
            this.codec = codec;
        }
    }
}
