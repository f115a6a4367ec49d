package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The real model size (single-tower AlexNet, 62,378,344 floats = 249.5 MB) round-trips between 2 workers. */
class LargeVectorTest {

    private static final Logger LOG = LoggerFactory.getLogger(LargeVectorTest.class);
    private static final long FLOATS = 62_378_344;
    /** Overridable to compare chunk sizes: -Dps.test.chunkBytes=1048576. */
    private static final int CHUNK = Integer.getInteger("ps.test.chunkBytes", JobSpec.DEFAULT_CHUNK_BYTES);

    @ParameterizedTest(name = "{0}, {1} shard(s)")
    @CsvSource({"UDP,2", "IPC,1"})
    void alexNetSizedVectorIsAveragedExactly(Channel.Transport transport, int shards) throws Exception {
        ByteBuffer p0 = TestVectors.random(FLOATS, 1);
        ByteBuffer p1 = TestVectors.random(FLOATS, 2);
        ByteBuffer expected = TestVectors.mean(p0, p1);
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 2, 2, shards, CHUNK,
            Duration.ofSeconds(60), Channel.DEFAULT_TERM_LENGTH)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            for (int round = 0; round < 2; round++) {
                long r = round;
                long t0 = System.nanoTime();
                CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(r, p1));
                RoundStats s0 = w0.pushAndAwait(r, p0);
                RoundStats s1 = f1.get(120, TimeUnit.SECONDS);
                long wall = System.nanoTime() - t0;
                LOG.info("{} {} shard(s), {} KB chunks, round {}: wall {} ms; worker 0 {}; worker 1 {}", transport, shards, CHUNK / 1024, round,
                    wall / 1_000_000, s0, s1);
                assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
                assertThat(TestVectors.firstDifference(p1, expected)).isEqualTo(-1);
                // Both now hold the mean: the next round's mean is that mean again.
            }
            Await.until("server stats", () -> cluster.serverStats.size() == 2 * shards);
            cluster.serverStats.forEach(s -> LOG.info("server: {}", s));
            assertThat(cluster.server.drops().total()).isZero();
        }
    }
}
