package io.alexnetspark.paramserver;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends a worker's whole vector as chunks, round-robin over the shards, straight from the caller's
 * buffer (no copy), through back-pressure up to the I/O time-out; and sends again the chunks of a
 * round a stalled worker has not received back. Used by the one polling thread of a
 * {@link ParameterClient}, which takes what arrives meanwhile ({@link Waiting}).
 */
final class VectorSender {

    /** What the client does while it sends: take what arrives, and stop if its owner gave up. */
    interface Waiting {
        /** Polls the averages streams once; returns the fragments read. */
        int poll();

        /** Whether the client's owner gave up (cheap: checked on every wait). */
        boolean aborted();

        /** Throws the client's {@link AbortedException} ({@code what}: for its message). */
        void abort(String what);
    }

    private final JobSpec job;
    private final ShardLayout layout;
    private final int workerId;
    private final WorkerStreams streams;
    private final IdleStrategy idle;
    private final Duration ioTimeout;
    private final Waiting waiting;
    private final boolean[] signed;
    private final int[] nextChunk;

    VectorSender(JobSpec job, int workerId, WorkerStreams streams, IdleStrategy idle, Duration ioTimeout, Waiting waiting) {
        this.job = job;
        this.layout = job.layout();
        this.workerId = workerId;
        this.streams = streams;
        this.idle = idle;
        this.ioTimeout = ioTimeout;
        this.waiting = waiting;
        this.signed = new boolean[layout.shards()];
        this.nextChunk = new int[layout.shards()];
    }

    /**
     * Sends the whole vector as {@code type} chunks of {@code round}, signed by {@code codec}.
     *
     * @param target the vector (as the caller's buffer, wrapped): what is offered
     * @param view   a view of the same bytes whose position and limit delimit each chunk for signing
     * @param base   the vector's position in {@code view}
     * @return the bytes sent
     */
    long send(short type, long round, MessageCodec codec, UnsafeBuffer target, ByteBuffer view, int base) {
        long deadline = System.nanoTime() + ioTimeout.toNanos();
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
                UnsafeBuffer h = streams.header(s);
                if (!signed[s]) {
                    MessageHeader.write(h, 0, type, job.jobId(), round, offset, workerId, s, c, layout.chunkCount(s), length, 0);
                    view.limit(base + offset + length).position(base + offset);
                    codec.sign(h, view);
                    signed[s] = true;
                }
                long result = streams.publication(s).offer(h, 0, MessageHeader.LENGTH, target, offset, length);
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
                deadline = System.nanoTime() + ioTimeout.toNanos();
                // Chunks of the average that every worker has pushed come back while we push the
                // rest (see ShardServer): take them now, so the server's stream never waits on us.
                waiting.poll();
            } else {
                // Back-pressured on every shard: drain the averages meanwhile, then wait a little.
                waiting.poll();
                if (System.nanoTime() > deadline) {
                    throw new ParameterServerException("worker " + workerId + ": back-pressured for " + ioTimeout
                        + " " + sending(type, round) + " to " + job.channel());
                }
                if (waiting.aborted()) {
                    waiting.abort(sending(type, round)); // the message is built only when it is thrown
                }
                idle.idle();
            }
        }
        return bytesOut;
    }

    /**
     * A stalled round: names this worker's endpoint again to shards whose stream to it is down, and
     * pushes again the chunks of {@code round} it has not received back ({@code received}); their
     * bytes in the caller's buffer are still this worker's own (received chunks overwrote only theirs).
     * One offer per chunk: what does not get through is asked for at the next stall.
     */
    void repush(long round, MessageCodec codec, UnsafeBuffer target, ByteBuffer view, boolean[][] received, int[] receivedCount) {
        for (int s = 0; s < layout.shards(); s++) {
            if (receivedCount[s] == layout.chunkCount(s)) {
                continue;
            }
            streams.helloIfDown(s);
            UnsafeBuffer h = streams.header(s);
            for (int c = 0; c < layout.chunkCount(s); c++) {
                if (received[s][c]) {
                    continue;
                }
                int offset = (int) layout.chunkByteOffset(s, c);
                int length = layout.chunkBytes(s, c);
                MessageHeader.write(h, 0, MessageHeader.PUSH, job.jobId(), round, offset, workerId, s, c, layout.chunkCount(s), length, 0);
                ByteBuffer chunk = view.duplicate();
                chunk.limit(offset + length).position(offset);
                codec.sign(h, chunk);
                long result = streams.publication(s).offer(h, 0, MessageHeader.LENGTH, target, offset, length);
                if (result < 0 && !Offers.isTransient(result)) {
                    return; // not connected: the next stall asks again
                }
            }
        }
    }

    static String sending(short type, long round) {
        return (type == MessageHeader.SEED ? "seeding" : "pushing") + " round " + round;
    }
}
