package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Time-outs, quorum, a worker that dies mid-round, one that comes back, one that is late. */
class QuorumTest {

    private static final long FLOATS = 100_003;
    private static final int CHUNK = 64 * 1024;
    private static final Duration TIMEOUT = Duration.ofMillis(300);

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IPC", "UDP"})
    void quorumClosesTheRoundWhenAWorkerDiesMidPushAndItPullsWhenItComesBack(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 3, 2, 2, CHUNK, TIMEOUT, 4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer p2 = TestVectors.random(FLOATS, 3);

            // Worker 2 sends the first chunk of shard 0, then dies.
            MessageCodec codec = cluster.pushCodec(2);
            try (RawSender dying = RawSender.toShard(cluster, 0)) {
                dying.send(dying.chunk(codec, MessageHeader.PUSH, TestCluster.JOB_ID, 0, 2, 0, 0, p2));
            }

            long t0 = System.nanoTime();
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(0, p1));
            RoundStats s0 = w0.pushAndAwait(0, p0);
            RoundStats s1 = f1.get(30, TimeUnit.SECONDS);
            assertThat(System.nanoTime() - t0).as("closed by the time-out, not before").isGreaterThanOrEqualTo(TIMEOUT.toNanos());

            // Chunk 0 of shard 0 is the mean of three pushes, the rest the mean of the two complete ones.
            ByteBuffer three = TestVectors.mean(TestVectors.random(FLOATS, 1), TestVectors.random(FLOATS, 2), p2);
            ByteBuffer two = TestVectors.mean(TestVectors.random(FLOATS, 1), TestVectors.random(FLOATS, 2));
            int firstChunkFloats = cluster.job.layout().chunkBytes(0, 0) / 4;
            ByteBuffer expected = TestVectors.copy(two);
            expected.put(0, three, 0, firstChunkFloats * 4);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
            assertThat(TestVectors.firstDifference(p1, expected)).isEqualTo(-1);
            assertThat(s0.minContributors()).isEqualTo(2);
            assertThat(s0.maxContributors()).isEqualTo(3);
            assertThat(s1.round()).isZero();
            Await.until("stats of both shards", () -> cluster.serverStats.size() == 2);
            assertThat(cluster.serverStats).allSatisfy(s -> {
                assertThat(s.byQuorum()).isTrue();
                assertThat(s.complete()).isEqualTo(2);
                assertThat(s.partial()).isEqualTo(s.shard() == 0 ? 1 : 0);
            });

            // Worker 2 comes back and pulls the latest average.
            ParameterClient w2 = cluster.client(2);
            ByteBuffer back = TestVectors.direct(FLOATS);
            assertThat(w2.pullLatest(back).round()).isZero();
            assertThat(TestVectors.firstDifference(back, expected)).isEqualTo(-1);

            // Next round with everyone: the plain mean of three, closed without waiting for the time-out.
            ByteBuffer q0 = TestVectors.random(FLOATS, 10);
            ByteBuffer q1 = TestVectors.random(FLOATS, 11);
            ByteBuffer q2 = TestVectors.random(FLOATS, 12);
            ByteBuffer mean = TestVectors.mean(q0, q1, q2);
            CompletableFuture<RoundStats> g1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(1, q1));
            CompletableFuture<RoundStats> g2 = CompletableFuture.supplyAsync(() -> w2.pushAndAwait(1, q2));
            assertThat(w0.pushAndAwait(1, q0).minContributors()).isEqualTo(3);
            g1.get(30, TimeUnit.SECONDS);
            g2.get(30, TimeUnit.SECONDS);
            for (ByteBuffer q : new ByteBuffer[] {q0, q1, q2}) {
                assertThat(TestVectors.firstDifference(q, mean)).isEqualTo(-1);
            }
            assertThat(cluster.server.drops().total()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IPC"})
    void belowQuorumTheRoundWaitsAndALatePushIsDropped(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 3, 2, 1, CHUNK, Duration.ofMillis(100), 4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));

            CompletableFuture<RoundStats> f0 = CompletableFuture.supplyAsync(() -> w0.pushAndAwait(0, p0));
            Thread.sleep(500); // five time-outs: one complete push is below the quorum of two
            assertThat(f0).isNotDone();
            assertThat(cluster.server.latestRound()).isEqualTo(-1);

            RoundStats s1 = w1.pushAndAwait(0, p1);
            f0.get(30, TimeUnit.SECONDS);
            assertThat(s1.minContributors()).isEqualTo(2);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
            assertThat(TestVectors.firstDifference(p1, expected)).isEqualTo(-1);

            // Worker 2 pushes round 0 after it closed: dropped as stale, the average unchanged.
            MessageCodec codec = cluster.pushCodec(2);
            try (RawSender late = RawSender.toShard(cluster, 0)) {
                late.send(late.chunk(codec, MessageHeader.PUSH, TestCluster.JOB_ID, 0, 2, 0, 0, TestVectors.random(FLOATS, 3)));
            }
            Await.until("stale drop", () -> cluster.server.drops().get(DropReason.STALE_ROUND) == 1);
            ByteBuffer onServer = TestVectors.direct(FLOATS);
            assertThat(cluster.server.latestAverage(onServer, Duration.ofSeconds(5))).isZero();
            assertThat(TestVectors.firstDifference(onServer, expected)).isEqualTo(-1);
        }
    }
    @ParameterizedTest(name = "{0}")
    @CsvSource({"UDP"})
    void aLateWorkerGetsTheAverageOfTheOthersAndItsPushIsDropped(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 3, 2, 2, CHUNK, Duration.ofMillis(100), 4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ParameterClient late = cluster.client(2); // connected all along, but pushes after the close
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(0, p1));
            w0.pushAndAwait(0, p0);
            f1.get(30, TimeUnit.SECONDS);
            Thread.sleep(50); // the late worker's drainer has read and discarded the broadcast meanwhile

            ByteBuffer p2 = TestVectors.random(FLOATS, 3);
            RoundStats s2 = late.pushAndAwait(0, p2);
            assertThat(s2.round()).isZero();
            assertThat(s2.minContributors()).isEqualTo(2);
            assertThat(TestVectors.firstDifference(p2, expected)).isEqualTo(-1);
            // Its first stale chunk already made the shard resend: the rest may still be on their way.
            Await.until("every stale chunk counted",
                () -> cluster.server.drops().get(DropReason.STALE_ROUND) == cluster.job.layout().totalChunks());
            ByteBuffer onServer = TestVectors.direct(FLOATS);
            assertThat(cluster.server.latestAverage(onServer, Duration.ofSeconds(5))).isZero();
            assertThat(TestVectors.firstDifference(onServer, expected)).isEqualTo(-1);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"UDP"})
    void aWorkerRoundsBehindLearnsThatTheServerMovedOnAndAdoptsTheNewestAverage(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 3, 2, 2, CHUNK, Duration.ofMillis(100), 4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ParameterClient straggler = cluster.client(2);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            for (long round = 0; round < 2; round++) {
                long r = round;
                CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(r, p1));
                w0.pushAndAwait(r, p0);
                f1.get(30, TimeUnit.SECONDS);
            }
            ByteBuffer expected = TestVectors.copy(p0); // both hold round 1's average now
            assertThat(cluster.server.latestRound()).isEqualTo(1);

            // Two rounds behind: its push of round 0 is stale, and no average of round 0 is coming any
            // more. The server answers with its latest, so the worker learns at once, not at a time-out.
            ByteBuffer p2 = TestVectors.random(FLOATS, 3);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> straggler.pushAndAwait(0, p2)).isInstanceOfSatisfying(RoundPassedException.class, e -> {
                assertThat(e.awaited()).isZero();
                assertThat(e.serverRound()).isEqualTo(1);
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
            RoundStats adopted = straggler.pullLatest(p2);
            assertThat(adopted.round()).isEqualTo(1);
            assertThat(TestVectors.firstDifference(p2, expected)).isEqualTo(-1);
            // The resend for its stale push does not use up its PULL: the PULL is answered at once,
            // not refused until a round closes or the interval passes (longer than a short await).
            assertThat(cluster.server.drops().get(DropReason.RATE_LIMITED)).isZero();
        }
    }
}
