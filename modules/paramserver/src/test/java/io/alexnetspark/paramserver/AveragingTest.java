package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Real Aeron, real threads: W workers average R rounds; every worker must hold the bit-exact mean. */
class AveragingTest {

    private static final long FLOATS = 1_000_003; // odd on purpose: uneven shards, short last chunks
    private static final int CHUNK = 256 * 1024;
    private static final int ROUNDS = 3;

    @ParameterizedTest(name = "{0}, {1} shard(s), {2} workers, {3}")
    @CsvSource({"IPC,1,2,AES_GCM", "IPC,4,4,AES_GCM", "IPC,4,8,AES_GCM", "UDP,1,2,AES_GCM", "UDP,4,3,AES_GCM", "UDP,4,8,AES_GCM",
        "IPC,1,2,HMAC_SHA256", "UDP,4,3,HMAC_SHA256"})
    void everyWorkerGetsTheExactMeanEveryRound(Channel.Transport transport, int shards, int workers, MacAlgorithm mac) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try (TestCluster cluster = new TestCluster(transport, FLOATS, workers, workers, shards, CHUNK, Duration.ofSeconds(30),
            16 * 1024 * 1024, mac)) {
            List<ParameterClient> clients = new ArrayList<>();
            for (int w = 0; w < workers; w++) {
                clients.add(cluster.client(w));
            }
            for (int round = 0; round < ROUNDS; round++) {
                ByteBuffer[] params = new ByteBuffer[workers];
                for (int w = 0; w < workers; w++) {
                    params[w] = TestVectors.random(FLOATS, 1000L * round + w);
                }
                ByteBuffer expected = TestVectors.mean(params);
                List<Future<RoundStats>> results = new ArrayList<>();
                for (int w = 0; w < workers; w++) {
                    ParameterClient c = clients.get(w);
                    ByteBuffer p = params[w];
                    long r = round;
                    results.add(pool.submit(() -> c.pushAndAwait(r, p)));
                }
                for (int w = 0; w < workers; w++) {
                    RoundStats stats = results.get(w).get(60, TimeUnit.SECONDS);
                    assertThat(stats.round()).isEqualTo(round);
                    assertThat(stats.minContributors()).isEqualTo(workers);
                    assertThat(stats.maxContributors()).isEqualTo(workers);
                    assertThat(stats.dropped()).isZero();
                    assertThat(TestVectors.firstDifference(params[w], expected)).as("worker %d round %d", w, round).isEqualTo(-1);
                }
                ByteBuffer onServer = TestVectors.direct(FLOATS);
                assertThat(cluster.server.latestAverage(onServer, Duration.ofSeconds(5))).isEqualTo(round);
                assertThat(TestVectors.firstDifference(onServer, expected)).isEqualTo(-1);
            }
            assertThat(cluster.server.drops().total()).isZero();
            assertThat(cluster.server.latestRound()).isEqualTo(ROUNDS - 1);
            awaitStats(cluster, shards * ROUNDS);
            assertThat(cluster.serverStats).allSatisfy(s -> {
                assertThat(s.complete()).isEqualTo(workers);
                assertThat(s.byQuorum()).isFalse();
                assertThat(s.bytesIn()).isEqualTo((long) workers * cluster.server.layout().shardBytes(s.shard()));
            });
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IPC", "UDP"})
    void workersStartFromTheSeededParameters(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 2, 2, 2, CHUNK, Duration.ofSeconds(30), 16 * 1024 * 1024)) {
            ParameterClient a = cluster.client(0);
            ByteBuffer nothing = TestVectors.random(FLOATS, 1);
            ByteBuffer before = TestVectors.copy(nothing);
            assertThat(a.pullLatest(nothing).round()).isEqualTo(-1);
            assertThat(TestVectors.firstDifference(nothing, before)).as("untouched without an average").isEqualTo(-1);

            ByteBuffer seed = TestVectors.random(FLOATS, 77);
            cluster.server.publishInitial(5, seed);
            ByteBuffer got = TestVectors.direct(FLOATS);
            RoundStats stats = a.pullLatest(got);
            assertThat(stats.round()).isEqualTo(5);
            assertThat(TestVectors.firstDifference(got, seed)).isEqualTo(-1);

            // The open round is now 6.
            ParameterClient b = cluster.client(1);
            ByteBuffer pa = TestVectors.random(FLOATS, 2);
            ByteBuffer pb = TestVectors.random(FLOATS, 3);
            ByteBuffer expected = TestVectors.mean(pa, pb);
            Thread t = new Thread(() -> b.pushAndAwait(6, pb));
            t.start();
            assertThat(a.pushAndAwait(6, pa).round()).isEqualTo(6);
            t.join(30_000);
            assertThat(TestVectors.firstDifference(pa, expected)).isEqualTo(-1);
            assertThat(TestVectors.firstDifference(pb, expected)).isEqualTo(-1);
        }
    }

    private static void awaitStats(TestCluster cluster, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (cluster.serverStats.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(cluster.serverStats).hasSize(n);
    }
}
