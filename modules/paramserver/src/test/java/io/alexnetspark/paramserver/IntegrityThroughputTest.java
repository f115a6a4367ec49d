package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not a benchmark: one short measurement of what signing costs per byte (CRC32C + the MAC over
 * 2 MB chunks), for each MAC, logged so the README's cost figures can be re-checked on any machine.
 */
class IntegrityThroughputTest {

    private static final Logger LOG = LoggerFactory.getLogger(IntegrityThroughputTest.class);

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void signingThroughputIsLogged(MacAlgorithm mac) {
        int chunk = JobSpec.DEFAULT_CHUNK_BYTES;
        ByteBuffer payload = TestVectors.random(chunk / 4, 1);
        UnsafeBuffer header = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        MessageCodec codec = new MessageCodec(1, TestCluster.SECRET, mac);
        MessageHeader.write(header, 0, MessageHeader.PUSH, 1, 0, 0, 0, 0, 0, 1, chunk, 0);
        // Warm-up: the GCM intrinsics need C2, which takes a few hundred MB of interpreted and C1 code first.
        long warmUntil = System.nanoTime() + 2_000_000_000L;
        while (System.nanoTime() < warmUntil) {
            codec.sign(header, payload);
        }
        int n = 256; // 64 MB
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            codec.sign(header, payload);
        }
        long ns = System.nanoTime() - t0;
        double mbPerS = (double) n * chunk / (1 << 20) / (ns / 1e9);
        LOG.info("sign (CRC32C + {}) of {} x {} KB: {} MB/s", mac, n, chunk / 1024, Math.round(mbPerS));
        assertThat(mbPerS).isPositive();
    }
}
