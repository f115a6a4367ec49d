package io.alexnetspark.paramserver;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The round protocol's own messages: a round query (which round, which incarnation; no 249.5 MB
 * pull) and a seed (a vector that becomes the latest average under a new round number, dropping
 * the open round's partial pushes), on real Aeron.
 */
class SeedAndRoundQueryTest {

    private static final int FLOATS = 300_000;
    private static final int CHUNK = 64 * 1024;

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IPC", "UDP"})
    void aRoundQueryReportsTheRoundAndTheServersIncarnation(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 2, 2, 2, CHUNK, Duration.ofSeconds(30), 4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ServerRound empty = w0.queryRound();
            assertThat(empty.latestRound()).isEqualTo(-1);
            assertThat(empty.agree()).isTrue();

            cluster.server.publishInitial(7, TestVectors.random(FLOATS, 1));
            ServerRound seven = w0.queryRound();
            assertThat(seven.latestRound()).isEqualTo(7);
            assertThat(seven.incarnation()).isEqualTo(empty.incarnation());
            // Only header-sized messages went out and came back: no vector was pulled.
            assertThat(cluster.server.drops().total()).isZero();
            assertThat(w0.drops().total()).isZero();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"UDP"})
    void aRestartedServerIsANewIncarnationEvenWithTheSameRound(Channel.Transport transport) throws Exception {
        long first;
        long second;
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 1, 1, 1, CHUNK, Duration.ofSeconds(30), 4 * 1024 * 1024)) {
            cluster.server.publishInitial(3, TestVectors.random(FLOATS, 1));
            first = cluster.client(0).queryRound().incarnation();
        }
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 1, 1, 1, CHUNK, Duration.ofSeconds(30), 4 * 1024 * 1024)) {
            cluster.server.publishInitial(3, TestVectors.random(FLOATS, 1));
            ServerRound again = cluster.client(0).queryRound();
            assertThat(again.latestRound()).isEqualTo(3);
            second = again.incarnation();
        }
        assertThat(second).isNotEqualTo(first);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"IPC", "UDP"})
    void aSeedReplacesTheAverageAndDropsTheOpenRoundsPartialPushes(Channel.Transport transport) throws Exception {
        try (TestCluster cluster = new TestCluster(transport, FLOATS, 2, 2, 2, CHUNK, Duration.ofSeconds(30), 4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            cluster.server.publishInitial(0, TestVectors.random(FLOATS, 1));

            // Worker 0 pushes round 1 and waits for worker 1, which never pushes it (a stage that failed).
            AtomicBoolean giveUp = new AtomicBoolean();
            w0.abortWhen(giveUp::get);
            ByteBuffer stale = TestVectors.random(FLOATS, 2);
            CompletableFuture<RoundStats> lost = CompletableFuture.supplyAsync(() -> w0.pushAndAwait(1, stale));
            Await.until("worker 0's push of round 1 reached the server", () -> pushedChunks(cluster) > 0);
            assertThat(cluster.server.latestRound()).isZero();
            giveUp.set(true);
            assertThatThrownBy(() -> lost.get(20, TimeUnit.SECONDS)).hasCauseInstanceOf(AbortedException.class);
            w0.abortWhen(() -> false);

            // Worker 1 seeds round 5: the server takes it as its latest, never as a round of pushes.
            ByteBuffer seed = TestVectors.random(FLOATS, 3);
            w1.seed(5, seed);
            assertThat(w0.queryRound().latestRound()).isEqualTo(5);
            ByteBuffer pulled = TestVectors.direct(FLOATS);
            assertThat(w0.pullLatest(pulled).round()).isEqualTo(5);
            assertThat(TestVectors.firstDifference(pulled, seed)).isEqualTo(-1);

            // The next round averages only what is pushed for it: worker 0's partial push of round 1 is gone.
            ByteBuffer p0 = TestVectors.random(FLOATS, 4);
            ByteBuffer p1 = TestVectors.random(FLOATS, 5);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(6, p1));
            RoundStats s0 = w0.pushAndAwait(6, p0);
            f1.get(30, TimeUnit.SECONDS);
            assertThat(s0.minContributors()).isEqualTo(2);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);

            // A round number is never used twice: seeding round 6 (or an older one) again is refused.
            assertThatThrownBy(() -> w1.seed(6, seed)).isInstanceOf(ParameterServerException.class)
                    .hasMessageContaining("already holds round 6");
            assertThat(cluster.server.latestRound()).isEqualTo(6);
        }
    }

    /** Bytes the server has received for the open round (pushes accumulate before any round closes). */
    private static long pushedChunks(TestCluster cluster) {
        return cluster.server.openRoundBytes();
    }
}
