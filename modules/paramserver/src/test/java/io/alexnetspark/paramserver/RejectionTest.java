package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Bad messages sent raw over a real Aeron publication: each is rejected, counted under its reason,
 * and never applied (the average of the honest workers comes out bit-exact).
 */
class RejectionTest {

    private static final long FLOATS = 50_000;
    private static final int CHUNK = 64 * 1024; // 4 chunks: 3 full, 1 short
    private static final long JOB = TestCluster.JOB_ID;

    /**
     * Every kind of bad push, each from a session of its own (over UDP, a session whose first
     * message fails a check before its MAC has its image rejected: the rest of it would not arrive),
     * then the honest round.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource({"UDP", "IPC"})
    void serverRejectsEveryKindOfBadPushAndTheAverageIsUnchanged(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30), 4 * 1024 * 1024)) {
            MessageCodec good = cluster.pushCodec(1);
            MessageCodec good0 = cluster.pushCodec(0);
            MessageCodec wrongToken = new MessageCodec(JOB, "an-attacker-guessed-key".getBytes(StandardCharsets.US_ASCII), cluster.job.mac());
            MessageCodec otherJob = new MessageCodec(JOB + 1, cluster.job.keysOf(1).push(), cluster.job.mac());
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            ByteBuffer poison = TestVectors.random(FLOATS, 666);
            Alone alone = new Alone(cluster);

            UnsafeBuffer badMagic = alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 1, poison);
            badMagic.putInt(MessageHeader.MAGIC_OFFSET, 0x0badf00d);
            alone.send(badMagic);

            UnsafeBuffer whole = alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 1, poison);
            alone.send(whole, whole.capacity() - 100);           // payload cut short
            alone.send(whole, 40);                              // not even a header

            UnsafeBuffer corrupted = alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 2, poison);
            corrupted.putByte(MessageHeader.LENGTH + 77, (byte) ~corrupted.getByte(MessageHeader.LENGTH + 77));
            alone.send(corrupted);

            alone.send(alone.chunk(wrongToken, MessageHeader.PUSH, JOB, 0, 1, 0, 2, poison));
            UnsafeBuffer retargeted = alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 3, poison);
            retargeted.putInt(MessageHeader.WORKER_OFFSET, 0); // re-addressed after signing
            alone.send(retargeted);
            UnsafeBuffer trailer = alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 3, poison);
            trailer.putByte(MessageHeader.LENGTH - 1, (byte) 1); // the header's last bytes, outside the GCM tag's reach
            alone.send(trailer);

            alone.send(alone.chunk(otherJob, MessageHeader.PUSH, JOB + 1, 0, 1, 0, 0, poison));

            ByteBuffer withNan = TestVectors.copy(poison);
            withNan.putFloat(4 * 20_000, Float.NaN);
            alone.send(alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 1, withNan));
            ByteBuffer withInf = TestVectors.copy(poison);
            withInf.putFloat(4, Float.POSITIVE_INFINITY);
            alone.send(alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 0, withInf));

            alone.send(alone.chunk(good, MessageHeader.PUSH, JOB, 0, 7, 0, 0, poison));   // no worker 7
            UnsafeBuffer shifted = alone.chunk(good, MessageHeader.PUSH, JOB, 0, 1, 0, 0, poison);
            shifted.putLong(MessageHeader.BYTE_OFFSET_OFFSET, 4);                     // then re-signed below
            resign(good, shifted);
            alone.send(shifted);

            alone.send(alone.chunk(good, MessageHeader.PUSH, JOB, 3, 1, 0, 0, poison));   // a future round
            alone.send(alone.chunk(good, MessageHeader.AVERAGE, JOB, 0, 1, 0, 0, poison)); // not for the server

            // A genuine chunk of worker 0, captured and sent twice: the copy is a duplicate.
            UnsafeBuffer genuine = alone.chunk(good0, MessageHeader.PUSH, JOB, 0, 0, 0, 0, p0);
            try (RawSender replayer = RawSender.toShard(cluster, 0, true)) {
                replayer.send(genuine);
                replayer.send(genuine);
            }

            DropCounters drops = cluster.server.drops();
            Await.until("all drops counted", () -> drops.total() == 15);
            assertThat(drops.snapshot()).isEqualTo(Map.ofEntries(
                Map.entry(DropReason.BAD_MAGIC, 1L),
                Map.entry(DropReason.TRUNCATED, 2L),
                Map.entry(DropReason.BAD_CRC, 1L),
                Map.entry(DropReason.BAD_HMAC, 3L),
                Map.entry(DropReason.WRONG_JOB, 1L),
                Map.entry(DropReason.NOT_FINITE, 2L),
                Map.entry(DropReason.OUT_OF_RANGE, 2L),
                Map.entry(DropReason.FUTURE_ROUND, 1L),
                Map.entry(DropReason.UNEXPECTED_TYPE, 1L),
                Map.entry(DropReason.DUPLICATE_CHUNK, 1L)));
            assertThat(cluster.server.latestRound()).isEqualTo(-1);

            // The honest workers now push (worker 0's first chunk is already in: its own copy is a duplicate).
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(0, p1));
            w0.pushAndAwait(0, p0);
            f1.get(30, TimeUnit.SECONDS);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
            assertThat(TestVectors.firstDifference(p1, expected)).isEqualTo(-1);
            assertThat(drops.get(DropReason.DUPLICATE_CHUNK)).isEqualTo(2);

            // Replaying the captured chunk after the round closed: stale.
            alone.send(genuine);
            Await.until("stale replay counted", () -> drops.get(DropReason.STALE_ROUND) == 1);
            ByteBuffer onServer = TestVectors.direct(FLOATS);
            assertThat(cluster.server.latestAverage(onServer, Duration.ofSeconds(5))).isZero();
            assertThat(TestVectors.firstDifference(onServer, expected)).isEqualTo(-1);
        }
    }

    /** Sends each message on a session of its own (an exclusive publication opened for it). */
    private record Alone(TestCluster cluster) {
        UnsafeBuffer chunk(MessageCodec codec, short type, long jobId, long round, int worker, int shard, int chunk, ByteBuffer vector) {
            return RawSender.signedChunk(cluster.job.layout(), codec, type, jobId, round, worker, shard, chunk, vector);
        }

        void send(UnsafeBuffer msg) {
            send(msg, msg.capacity());
        }

        void send(UnsafeBuffer msg, int length) {
            try (RawSender raw = RawSender.toShard(cluster, 0, true)) {
                raw.send(msg, length);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IPC"})
    void workersRejectForgedAndNonFiniteAverages(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30), 4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            CompletableFuture<RoundStats> f0 = CompletableFuture.supplyAsync(() -> w0.pushAndAwait(0, p0));
            // Whatever is published from now on, worker 0 reads while it awaits round 0 (it polls only then).
            // An intruder on the same host writes into the averages stream while worker 0 waits.
            Channel ch = cluster.job.channel();
            try (RawSender intruder = new RawSender(cluster.workerDir, ch.serverAverageChannel(0), ch.averageStreamId(0),
                cluster.job.layout())) {
                MessageCodec forger = new MessageCodec(JOB, "an-attacker-guessed-key".getBytes(StandardCharsets.US_ASCII), cluster.job.mac());
                MessageCodec insider = cluster.averageCodec(0);
                ByteBuffer poison = TestVectors.random(FLOATS, 666);
                intruder.send(intruder.chunk(forger, MessageHeader.AVERAGE, JOB, 0, -1, 0, 0, poison));
                poison.putFloat(4 * (16_384 + 3), Float.NaN); // inside chunk 1
                intruder.send(intruder.chunk(insider, MessageHeader.AVERAGE, JOB, 0, -1, 0, 1, poison));
                try {
                    Await.until("worker 0 rejected both", () -> w0.drops().total() == 2);
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + ": client drops " + w0.drops() + ", server drops "
                        + cluster.server.drops() + ", f0 " + f0, e);
                }
            }
            assertThat(w0.drops().get(DropReason.BAD_HMAC)).isEqualTo(1);
            assertThat(w0.drops().get(DropReason.NOT_FINITE)).isEqualTo(1);

            w1.pushAndAwait(0, p1);
            RoundStats s0 = f0.get(30, TimeUnit.SECONDS);
            assertThat(s0.dropped()).isEqualTo(2);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
            assertThat(TestVectors.firstDifference(p1, expected)).isEqualTo(-1);
        }
    }

    private static void resign(MessageCodec codec, UnsafeBuffer msg) {
        int length = msg.capacity() - MessageHeader.LENGTH;
        UnsafeBuffer h = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        h.putBytes(0, msg, 0, MessageHeader.LENGTH);
        ByteBuffer payload = ByteBuffer.allocateDirect(length);
        msg.getBytes(MessageHeader.LENGTH, payload, 0, length);
        codec.sign(h, payload);
        msg.putBytes(0, h, 0, MessageHeader.LENGTH);
    }
}
