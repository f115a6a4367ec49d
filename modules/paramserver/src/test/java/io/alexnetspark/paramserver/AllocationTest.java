package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path allocates nothing per message of its own. What remains is the JDK's MAC: for
 * HMAC-SHA256 {@code Mac.doFinal}, which returns fresh 32-byte arrays on every call (HmacCore); for
 * AES-GCM the parameter spec and the cipher's per-message state: measured here and subtracted, the rest of a round is a few hundred bytes (its RoundStats, one buffer view)
 * whatever the number of chunks.
 */
class AllocationTest {

    private static final Logger LOG = LoggerFactory.getLogger(AllocationTest.class);
    private static final long FLOATS = 1_000_000;
    private static final int CHUNK = 32 * 1024; // 123 chunks per push

    /** Bytes one MessageCodec.sign allocates (inside javax.crypto.Mac, or the GCM parameter spec and the JDK's GCM state). */
    private static long macAllocation(com.sun.management.ThreadMXBean mx, MacAlgorithm mac) {
        MessageCodec codec = new MessageCodec(1, TestCluster.SECRET, mac);
        org.agrona.concurrent.UnsafeBuffer h = new org.agrona.concurrent.UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        ByteBuffer payload = TestVectors.random(CHUNK / 4, 9);
        MessageHeader.write(h, 0, MessageHeader.PUSH, 1, 0, 0, 0, 0, 0, 1, CHUNK, 0);
        for (int i = 0; i < 2000; i++) {
            codec.sign(h, payload);
        }
        long me = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(me);
        for (int i = 0; i < 1000; i++) {
            codec.sign(h, payload);
        }
        return (mx.getThreadAllocatedBytes(me) - before) / 1000;
    }

    @Test
    void roundsDoNotAllocatePerMessage() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // HMAC-SHA256: the JDK's share is a fixed 32-byte array per doFinal, measured exactly and subtracted,
        // so what remains is ours. (AES-GCM's JDK share is larger and varies between sign and verify:
        // subtracting it would hide our own allocations, so this test does not use it.)
        try (TestCluster cluster = new TestCluster(Channel.Transport.IPC, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024, MacAlgorithm.HMAC_SHA256)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            long shardThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("paramserver-shard-0")).findFirst().orElseThrow().getId();
            long me = Thread.currentThread().getId();
            int warmup = 30;
            int measured = 10;
            long workerBytes = 0;
            long shardBytes = 0;
            for (int round = 0; round < warmup + measured; round++) {
                long r = round;
                long shardBefore = mx.getThreadAllocatedBytes(shardThread);
                CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(r, p1));
                long w0Before = mx.getThreadAllocatedBytes(me);
                w0.pushAndAwait(r, p0);
                long w0After = mx.getThreadAllocatedBytes(me);
                f1.get(30, TimeUnit.SECONDS);
                Await.until("stats of round " + r, () -> cluster.serverStats.size() == r + 1);
                if (round >= warmup) {
                    workerBytes += w0After - w0Before;
                    shardBytes += mx.getThreadAllocatedBytes(shardThread) - shardBefore;
                }
            }
            int chunks = cluster.job.layout().totalChunks();
            long perHmac = macAllocation(mx, cluster.job.mac());
            // Per round: the worker signs its chunks and verifies the average's; the shard verifies
            // both workers' chunks and signs the average's.
            long workerRest = workerBytes / measured - 2L * chunks * perHmac;
            long shardRest = shardBytes / measured - 3L * chunks * perHmac;
            LOG.info("per round ({} chunks each way): worker thread {} B, shard thread {} B; JDK {} {} B per call;"
                + " without it: worker {} B, shard {} B", chunks, workerBytes / measured, shardBytes / measured, cluster.job.mac(), perHmac,
                workerRest, shardRest);
            // Non-negative: the subtraction removed no more than was allocated (else the check proves nothing).
            assertThat(workerRest).isBetween(0L, 1_000L);
            assertThat(shardRest).isBetween(0L, 1_000L);
        }
    }
}
