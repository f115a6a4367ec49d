package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * For a fixed time, random, truncated, oversized, replayed, re-targeted, forged and out-of-order
 * messages go at a running server and at its running workers while they run honest rounds, over
 * real Aeron IPC (an intruder on the same host writes into the very streams the job uses; IPC also
 * keeps every hostile message deliverable, where UDP would reject a hostile session after its
 * first message, see {@link HostileTrafficTest}). Every round's average stays bit-exact, every
 * message sent to the server is counted under the reason its kind predicts, the workers drop only
 * for the reasons their kinds allow, the heap stays bounded and no thread dies.
 */
class FuzzTest {

    private static final long FLOATS = 50_000;
    private static final int CHUNK = 64 * 1024; // shards of 100 KB: 2 chunks each
    private static final long FUZZ_NANOS = TimeUnit.SECONDS.toNanos(8);

    /** What a hostile message to the server is, and the reason it must be counted under. */
    private enum Kind {
        RANDOM_BYTES(DropReason.BAD_MAGIC),
        CUT_SHORT(DropReason.TRUNCATED),
        HEADER_FRAGMENT(DropReason.TRUNCATED),
        BAD_VERSION(DropReason.BAD_VERSION),
        OTHER_JOB(DropReason.WRONG_JOB),
        GUESSED_KEY(DropReason.BAD_HMAC),
        RETARGETED(DropReason.BAD_HMAC),
        FLIPPED_BIT(DropReason.BAD_CRC),
        NO_SUCH_WORKER(DropReason.OUT_OF_RANGE),
        AVERAGE_TO_SERVER(DropReason.UNEXPECTED_TYPE),
        FAR_FUTURE_ROUND(DropReason.FUTURE_ROUND),
        REPLAYED_OLD_ROUND(DropReason.STALE_ROUND),
        PULL_WITHOUT_TICKET(DropReason.REPLAYED),
        PULL_OF_ANOTHER_INCARNATION(DropReason.STALE_INCARNATION),
        ANNOUNCES_TOO_MUCH(DropReason.OVERSIZED);

        final DropReason reason;

        Kind(DropReason reason) {
            this.reason = reason;
        }
    }

    @Test
    void hostileTrafficDuringHonestRoundsChangesNothingAndIsCountedByReason() throws Exception {
        try (TestCluster cluster = new TestCluster(Channel.Transport.IPC, FLOATS, 2, 2, 2, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024)) {
            ShardLayout layout = cluster.job.layout();
            Channel ch = cluster.job.channel();
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            long heapBefore = liveHeap();
            AtomicBoolean stop = new AtomicBoolean();
            long[] roundsDone = new long[1];
            CompletableFuture<Void> honest = CompletableFuture.runAsync(() -> {
                long round = 0;
                while (!stop.get()) {
                    ByteBuffer p0 = TestVectors.random(FLOATS, 2 * round + 1);
                    ByteBuffer p1 = TestVectors.random(FLOATS, 2 * round + 2);
                    ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
                    long r = round;
                    CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(r, p1));
                    w0.pushAndAwait(round, p0);
                    f1.join();
                    if (TestVectors.firstDifference(p0, expected) != -1 || TestVectors.firstDifference(p1, expected) != -1) {
                        throw new AssertionError("round " + round + " is not the exact mean");
                    }
                    roundsDone[0] = ++round;
                }
            });

            Map<Kind, Long> sent = new EnumMap<>(Kind.class);
            long toWorkers = 0;
            Random random = new Random(42);
            MessageCodec key = cluster.pushCodec(0); // IPC: the shared key, as an insider holds it
            MessageCodec guessed = new MessageCodec(TestCluster.JOB_ID, "an-attacker-guessed-key".getBytes(StandardCharsets.US_ASCII),
                cluster.job.mac());
            MessageCodec otherJob = new MessageCodec(TestCluster.JOB_ID + 1, cluster.job.keysOf(0).push(), cluster.job.mac());
            ByteBuffer poison = TestVectors.random(FLOATS, 666);
            try (RawSender toShard0 = RawSender.toShard(cluster, 0);
                 RawSender toShard1 = RawSender.toShard(cluster, 1);
                 RawSender toWorkers0 = new RawSender(cluster.workerDir, ch.serverAverageChannel(0), ch.averageStreamId(0), layout)) {
                RawSender[] toShard = {toShard0, toShard1};
                long end = System.nanoTime() + FUZZ_NANOS;
                while (System.nanoTime() < end) {
                    int shard = random.nextInt(2);
                    int chunk = random.nextInt(layout.chunkCount(shard) - 1); // not the last: a stale last chunk asks a resend
                    Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
                    UnsafeBuffer msg = hostile(kind, cluster, layout, key, guessed, otherJob, shard, chunk, poison, random);
                    toShard[shard].send(msg);
                    sent.merge(kind, 1L, Long::sum);
                    if (random.nextInt(4) == 0) {
                        // And at the workers: forged or broken averages in the stream they read (an insider's
                        // key only with a NaN in it: over IPC every key is the shared one, and its holder can
                        // sign any average: see JobSpec#perWorkerKeys).
                        boolean insider = random.nextBoolean();
                        UnsafeBuffer avg = RawSender.signedChunk(layout, insider ? key : guessed, MessageHeader.AVERAGE,
                            TestCluster.JOB_ID, roundsDone[0] + random.nextInt(3) - 1, MessageHeader.SERVER_SENDER, 0, 0,
                            insider ? withNaN(poison) : poison);
                        if (random.nextBoolean()) {
                            avg.putInt(MessageHeader.MAGIC_OFFSET, random.nextInt());
                        }
                        toWorkers0.send(avg);
                        toWorkers++;
                    }
                }
            }
            stop.set(true);
            honest.get(60, TimeUnit.SECONDS);

            long total = sent.values().stream().mapToLong(Long::longValue).sum();
            Map<DropReason, Long> expected = new EnumMap<>(DropReason.class);
            sent.forEach((k, n) -> expected.merge(k.reason, n, Long::sum));
            DropCounters drops = cluster.server.drops();
            Await.until("every hostile message counted", () -> drops.total() >= total);
            assertThat(drops.snapshot()).as("sent %s", sent).isEqualTo(expected);
            assertThat(roundsDone[0]).as("honest rounds under fire").isGreaterThan(10);
            Set<DropReason> workerReasons = Set.of(DropReason.BAD_MAGIC, DropReason.BAD_HMAC, DropReason.NOT_FINITE);
            assertThat(w0.drops().snapshot().keySet()).isSubsetOf(workerReasons);
            assertThat(w1.drops().snapshot().keySet()).isSubsetOf(workerReasons);
            assertThat(cluster.server.failure()).isNull();
            assertThat(liveHeap() - heapBefore).as("heap growth").isLessThan(64L * 1024 * 1024);
            System.out.printf("fuzz: %d hostile messages to the server %s, %d to the workers (worker drops %s / %s), "
                + "%d honest rounds bit-exact, heap growth %.1f MB%n", total, sent, toWorkers, w0.drops(), w1.drops(), roundsDone[0],
                (liveHeap() - heapBefore) / 1e6);
        }
    }

    private static UnsafeBuffer hostile(Kind kind, TestCluster cluster, ShardLayout layout, MessageCodec key, MessageCodec guessed,
                                        MessageCodec otherJob, int shard, int chunk, ByteBuffer poison, Random random) {
        long job = TestCluster.JOB_ID;
        switch (kind) {
            case RANDOM_BYTES -> {
                byte[] bytes = new byte[MessageHeader.LENGTH + random.nextInt(4000)];
                random.nextBytes(bytes);
                UnsafeBuffer b = new UnsafeBuffer(bytes);
                if (b.getInt(0) == MessageHeader.MAGIC) {
                    b.putInt(0, ~MessageHeader.MAGIC);
                }
                return b;
            }
            case CUT_SHORT -> {
                UnsafeBuffer whole = RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, 0, 1, shard, chunk, poison);
                return new UnsafeBuffer(whole, 0, whole.capacity() - 1 - random.nextInt(100));
            }
            case HEADER_FRAGMENT -> {
                UnsafeBuffer whole = RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, 0, 1, shard, chunk, poison);
                return new UnsafeBuffer(whole, 0, 8 + random.nextInt(MessageHeader.LENGTH - 8));
            }
            case BAD_VERSION -> {
                UnsafeBuffer b = RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, 0, 1, shard, chunk, poison);
                b.putShort(MessageHeader.VERSION_OFFSET, (short) 99, java.nio.ByteOrder.LITTLE_ENDIAN);
                return b;
            }
            case OTHER_JOB -> {
                return RawSender.signedChunk(layout, otherJob, MessageHeader.PUSH, job + 1, 0, 1, shard, chunk, poison);
            }
            case GUESSED_KEY -> {
                return RawSender.signedChunk(layout, guessed, MessageHeader.PUSH, job, random.nextInt(5), 1, shard, chunk, poison);
            }
            case RETARGETED -> {
                UnsafeBuffer b = RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, 1_000_000, 1, shard, chunk, poison);
                b.putLong(MessageHeader.ROUND_OFFSET, 0, java.nio.ByteOrder.LITTLE_ENDIAN); // re-aimed at the open round
                return b;
            }
            case FLIPPED_BIT -> {
                UnsafeBuffer b = RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, 0, 1, shard, chunk, poison);
                int at = MessageHeader.LENGTH + random.nextInt(b.capacity() - MessageHeader.LENGTH);
                b.putByte(at, (byte) (b.getByte(at) ^ (1 << random.nextInt(8))));
                return b;
            }
            case NO_SUCH_WORKER -> {
                return RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, 0, 2 + random.nextInt(100), shard, chunk, poison);
            }
            case AVERAGE_TO_SERVER -> {
                return RawSender.signedChunk(layout, key, MessageHeader.AVERAGE, job, 0, MessageHeader.SERVER_SENDER, shard, chunk, poison);
            }
            case FAR_FUTURE_ROUND -> {
                return RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, 1_000_000 + random.nextInt(1000), 1, shard, chunk,
                    poison);
            }
            case REPLAYED_OLD_ROUND -> {
                return RawSender.signedChunk(layout, key, MessageHeader.PUSH, job, -1 - random.nextInt(1000), 1, shard, chunk, poison);
            }
            case PULL_WITHOUT_TICKET, PULL_OF_ANOTHER_INCARNATION -> {
                long incarnation = cluster.server.incarnation() + (kind == Kind.PULL_OF_ANOTHER_INCARNATION ? 1 : 0);
                UnsafeBuffer h = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
                MessageHeader.write(h, 0, MessageHeader.PULL, job, -1, random.nextInt() | 1, 1, shard, (int) incarnation,
                    (int) (incarnation >>> 32), 0, 0);
                key.sign(h, null);
                return h;
            }
            case ANNOUNCES_TOO_MUCH -> {
                // A sound header announcing a payload larger than any chunk, followed by 300 KB.
                UnsafeBuffer b = new UnsafeBuffer(new byte[300 * 1024]);
                MessageHeader.write(b, 0, MessageHeader.PUSH, job, 0, 0, 1, shard, chunk, layout.chunkCount(shard),
                    b.capacity() - MessageHeader.LENGTH, 0);
                return b;
            }
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    private static ByteBuffer withNaN(ByteBuffer v) {
        ByteBuffer copy = TestVectors.copy(v);
        copy.putFloat(4 * 100, Float.NaN); // inside chunk 0 of shard 0
        return copy;
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
