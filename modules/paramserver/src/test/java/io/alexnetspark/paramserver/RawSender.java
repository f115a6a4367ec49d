package io.alexnetspark.paramserver;

import io.aeron.Publication;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sends hand-made messages over a real Aeron publication, to play a misbehaving or dying worker.
 * Builds correctly signed messages that the test then damages as it likes.
 */
final class RawSender implements AutoCloseable {

    private final AeronConnection connection;
    private final Publication publication;
    private final ShardLayout layout;

    RawSender(String aeronDir, String channel, int streamId, ShardLayout layout) {
        this(aeronDir, channel, streamId, layout, false);
    }

    /**
     * @param exclusive an exclusive publication: a session of its own (an intruder's fresh session),
     *                  not the one shared with other local publishers of the same channel
     */
    RawSender(String aeronDir, String channel, int streamId, ShardLayout layout, boolean exclusive) {
        this.connection = AeronConnection.open(AeronSetup.external(aeronDir));
        this.publication = exclusive
            ? connection.aeron().addExclusivePublication(channel, streamId)
            : connection.aeron().addPublication(channel, streamId);
        this.layout = layout;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!publication.isConnected()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("raw publication not connected");
            }
            Thread.onSpinWait();
        }
    }

    /** To a shard's push stream. */
    static RawSender toShard(TestCluster cluster, int shard) {
        return toShard(cluster, shard, false);
    }

    /** To a shard's push stream, on a session of its own if {@code exclusive}. */
    static RawSender toShard(TestCluster cluster, int shard, boolean exclusive) {
        Channel ch = cluster.job.channel();
        return new RawSender(cluster.workerDir, ch.workerPushChannel(shard, "127.0.0.1"), ch.pushStreamId(shard), cluster.job.layout(),
            exclusive);
    }

    /** The session this sender's messages arrive on. */
    int sessionId() {
        return publication.sessionId();
    }

    /** The largest message this sender's publication takes. */
    int maxMessageLength() {
        return publication.maxMessageLength();
    }

    /** A signed message: header + the chunk's bytes taken from {@code vector}. */
    UnsafeBuffer chunk(MessageCodec codec, short type, long jobId, long round, int worker, int shard, int chunk,
                       ByteBuffer vector) {
        return signedChunk(layout, codec, type, jobId, round, worker, shard, chunk, vector);
    }

    /** A signed message of {@code layout}: header + the chunk's bytes taken from {@code vector}. */
    static UnsafeBuffer signedChunk(ShardLayout layout, MessageCodec codec, short type, long jobId, long round, int worker,
                                    int shard, int chunk, ByteBuffer vector) {
        int offset = (int) layout.chunkByteOffset(shard, chunk);
        int length = layout.chunkBytes(shard, chunk);
        UnsafeBuffer h = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        MessageHeader.write(h, 0, type, jobId, round, offset, worker, shard, chunk, layout.chunkCount(shard), length, 0);
        ByteBuffer view = vector.duplicate();
        view.limit(offset + length).position(offset);
        codec.sign(h, view);
        UnsafeBuffer msg = new UnsafeBuffer(new byte[MessageHeader.LENGTH + length]);
        msg.putBytes(0, h, 0, MessageHeader.LENGTH);
        msg.putBytes(MessageHeader.LENGTH, vector, offset, length);
        return msg;
    }

    void send(DirectBuffer msg, int length) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            long r = publication.offer(msg, 0, length);
            if (r > 0) {
                return;
            }
            if (!Offers.isTransient(r) || System.nanoTime() > deadline) {
                throw Offers.failure(r, "raw send");
            }
            Thread.onSpinWait();
        }
    }

    void send(DirectBuffer msg) {
        send(msg, msg.capacity());
    }

    @Override
    public void close() {
        connection.close();
    }
}
