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
        this.connection = AeronConnection.open(AeronSetup.external(aeronDir));
        this.publication = connection.aeron().addPublication(channel, streamId);
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
        Channel ch = cluster.job.channel();
        return new RawSender(cluster.workerDir, ch.workerPushChannel(shard, "127.0.0.1"), ch.pushStreamId(shard), cluster.job.layout());
    }

    /** A signed message: header + the chunk's bytes taken from {@code vector}. */
    UnsafeBuffer chunk(MessageCodec codec, short type, long jobId, long round, int worker, int shard, int chunk,
                       ByteBuffer vector) {
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
