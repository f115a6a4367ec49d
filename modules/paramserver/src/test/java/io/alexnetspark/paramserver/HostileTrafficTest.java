package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * One test per finding of issue 15 that the parameter server module fixes itself, each with real
 * Aeron on loopback: what the attack did before, and that it now changes nothing and is counted.
 */
class HostileTrafficTest {

    private static final long FLOATS = 50_000;
    private static final int CHUNK = 64 * 1024; // 4 chunks
    private static final long JOB = TestCluster.JOB_ID;
    private static final byte[] WRONG_KEY = "an-attacker-guessed-key".getBytes(StandardCharsets.US_ASCII);

    /**
     * Finding 1: a worker used to record "the server is ahead" from an AVERAGE header before its MAC
     * was checked, so one forged 96-byte message with a later round aborted its round.
     */
    @Test
    void aForgedLaterRoundAverageDoesNotAbortTheWorkersRound() throws Exception {
        try (TestCluster cluster = new TestCluster(Channel.Transport.IPC, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            CompletableFuture<RoundStats> f0 = CompletableFuture.supplyAsync(() -> w0.pushAndAwait(0, p0));
            Channel ch = cluster.job.channel();
            try (RawSender intruder = new RawSender(cluster.workerDir, ch.serverAverageChannel(0), ch.averageStreamId(0),
                cluster.job.layout())) {
                Await.until("worker 0 pushed", () -> cluster.server.openRoundBytes() == 4 * FLOATS);
                MessageCodec forger = new MessageCodec(JOB, WRONG_KEY, cluster.job.mac());
                // The 96-byte header of a "closed round 5", no payload, signed with a guessed key.
                UnsafeBuffer headerOnly = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
                MessageHeader.write(headerOnly, 0, MessageHeader.AVERAGE, JOB, 5, 0, MessageHeader.SERVER_SENDER, 0, 0,
                    cluster.job.layout().chunkCount(0), 0, 2);
                forger.sign(headerOnly, null);
                intruder.send(headerOnly);
                // A well-shaped chunk of round 5, signed with the guessed key.
                intruder.send(intruder.chunk(forger, MessageHeader.AVERAGE, JOB, 5, MessageHeader.SERVER_SENDER, 0, 0,
                    TestVectors.random(FLOATS, 666)));
                Await.until("worker 0 dropped both", () -> w0.drops().total() == 2);
            }
            assertThat(f0).isNotDone();
            assertThat(w0.drops().get(DropReason.OUT_OF_RANGE)).isEqualTo(1);
            assertThat(w0.drops().get(DropReason.BAD_HMAC)).isEqualTo(1);

            w1.pushAndAwait(0, p1);
            f0.get(30, TimeUnit.SECONDS);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
        }
    }

    /**
     * Finding 2: unauthenticated sessions, each announcing or sending a 4 MB message, used to make
     * the server buffer every one of them for good (Aeron's FragmentAssembler per session), until
     * the shard thread died of OutOfMemoryError. Now nothing is buffered beyond one largest message
     * per session, sessions are bounded, their images are rejected, and the shard keeps serving.
     */
    @Test
    void aFloodOfSessionsWithHugeMessagesIsDroppedBeforeBufferingAndTheShardLives() throws Exception {
        int sessions = 40;
        int huge = 4 * 1024 * 1024;
        try (TestCluster cluster = new TestCluster(Channel.Transport.UDP, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024)) {
            Channel ch = cluster.job.channel();
            // The intruder picks its own term length, so its messages may be as long as it likes (term / 8).
            String channel = "aeron:udp?endpoint=127.0.0.1:" + ch.basePort() + "|term-length=" + 64 * 1024 * 1024;
            UnsafeBuffer message = new UnsafeBuffer(new byte[huge]);
            byte[] noise = new byte[huge];
            ThreadLocalRandom.current().nextBytes(noise);
            long heapBefore = liveHeap();
            for (int i = 0; i < sessions; i++) {
                message.putBytes(0, noise, 0, MessageHeader.LENGTH);
                message.putBytes(MessageHeader.LENGTH, noise, MessageHeader.LENGTH, huge - MessageHeader.LENGTH);
                // A third random bytes, a third a sound header announcing 4 MB, a third a sound header
                // announcing one chunk followed by 4 MB.
                int kind = i % 3;
                if (kind > 0) {
                    MessageHeader.write(message, 0, MessageHeader.PUSH, JOB, 0, 0, 0, 0, 0, 4,
                        kind == 1 ? huge - MessageHeader.LENGTH : CHUNK, 0);
                }
                try (RawSender intruder = new RawSender(cluster.workerDir, channel, ch.pushStreamId(0), cluster.job.layout(), true)) {
                    intruder.send(message);
                }
            }
            DropCounters drops = cluster.server.drops();
            Await.until("every flood message counted", () -> drops.total() >= sessions);
            long heapAfter = liveHeap();
            assertThat(drops.get(DropReason.BAD_MAGIC)).isEqualTo(14);
            assertThat(drops.get(DropReason.OVERSIZED)).isEqualTo(26);
            assertThat(drops.total()).isEqualTo(sessions);
            assertThat(cluster.server.reassemblyBytes()).isLessThanOrEqualTo((long) (4 * 2 + 16) * (MessageHeader.LENGTH + CHUNK));
            assertThat(cluster.server.rejectedSessions()).isEqualTo(sessions);
            // Before: 40 buffers of 4 MB and more kept for good (>= 160 MB); now at most a few of 64 KB.
            assertThat(heapAfter - heapBefore).isLessThan(32L * 1024 * 1024);
            assertThat(cluster.server.failure()).isNull();
            System.out.printf("flood: %d sessions x %d MB, drops %s, live heap growth %.1f MB, reassembly buffers %d bytes, "
                + "rejected sessions %d%n", sessions, huge >> 20, drops, (heapAfter - heapBefore) / 1e6,
                cluster.server.reassemblyBytes(), cluster.server.rejectedSessions());

            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(0, p1));
            w0.pushAndAwait(0, p0);
            f1.get(30, TimeUnit.SECONDS);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
            assertThat(drops.total()).isEqualTo(sessions);
        }
    }

    /**
     * Finding 4: a PULL carried no nonce, so each replay of a captured one made the shard send its
     * whole latest average again. Now a PULL carries a ticket its worker's round query was given, is
     * taken once, and names the server incarnation.
     */
    @Test
    void aCapturedPullReplayedIsDroppedAndAnsweredNoMore() throws Exception {
        try (TestCluster cluster = new TestCluster(Channel.Transport.IPC, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024);
             AeronConnection tap = AeronConnection.open(AeronSetup.external(cluster.workerDir))) {
            Channel ch = cluster.job.channel();
            // Whoever can read the push stream (here: another subscriber on the host) captures the PULL.
            Subscription sniffer = tap.aeron().addSubscription(ch.serverPushChannel(0), ch.pushStreamId(0));
            UnsafeBuffer[] captured = new UnsafeBuffer[1];
            FragmentAssembler capture = new FragmentAssembler((buffer, offset, length, header) -> {
                MessageHeader h = new MessageHeader().wrap(buffer, offset);
                if (h.type() == MessageHeader.PULL && captured[0] == null) {
                    captured[0] = new UnsafeBuffer(new byte[length]);
                    captured[0].putBytes(0, buffer, offset, length);
                }
            });
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(0, p1));
            w0.pushAndAwait(0, p0);
            f1.get(30, TimeUnit.SECONDS);

            ByteBuffer pulled = TestVectors.direct(FLOATS);
            assertThat(w1.pullLatest(pulled).round()).isZero();
            assertThat(TestVectors.firstDifference(pulled, p0)).isEqualTo(-1);
            Await.until("the PULL captured", () -> {
                sniffer.poll(capture, 100);
                return captured[0] != null;
            });
            long answers = cluster.server.fullAnswers();
            assertThat(answers).isEqualTo(1);

            DropCounters drops = cluster.server.drops();
            try (RawSender replayer = new RawSender(cluster.workerDir, ch.workerPushChannel(0, "127.0.0.1"), ch.pushStreamId(0),
                cluster.job.layout())) {
                for (int i = 0; i < 5; i++) {
                    replayer.send(captured[0]);
                }
                Await.until("5 replays counted", () -> drops.get(DropReason.REPLAYED) == 5);
            }
            Thread.sleep(200);
            assertThat(cluster.server.fullAnswers()).isEqualTo(answers);
            assertThat(drops.total()).isEqualTo(5);

            // The same PULL against a new incarnation of the server: named as stale.
            try (TestCluster restarted = new TestCluster(Channel.Transport.IPC, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
                4 * 1024 * 1024);
                 RawSender replayer = new RawSender(restarted.workerDir, ch.workerPushChannel(0, "127.0.0.1"), ch.pushStreamId(0),
                     restarted.job.layout())) {
                replayer.send(captured[0]);
                Await.until("counted", () -> restarted.server.drops().get(DropReason.STALE_INCARNATION) == 1);
                assertThat(restarted.server.fullAnswers()).isZero();
            }
        }
    }

    /**
     * Finding 2, last part: a shard whose thread fails used to die with one log line while the
     * server went on without it. Now the server reports it, and its callers stop.
     */
    @Test
    void aShardThatFailsStopsTheServerLoudly() throws Exception {
        try (TestCluster cluster = new TestCluster(Channel.Transport.IPC, FLOATS, 1, 1, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024, JobSpec.DEFAULT_MAC, stats -> {
                throw new IllegalStateException("a broken stats listener");
            })) {
            ParameterClient w0 = cluster.client(0);
            w0.pushAndAwait(0, TestVectors.random(FLOATS, 1));
            Await.until("the failure reported", () -> cluster.server.failure() != null);
            assertThatThrownBy(cluster.server::checkHealthy)
                .isInstanceOf(ParameterServerException.class)
                .hasMessageContaining("paramserver-shard-0 stopped")
                .hasMessageContaining("a broken stats listener");
        }
    }

    /**
     * Finding 3: averages went out over dynamic multi-destination UDP, so one status message to the
     * control port made the server send that host every average, and a receiver holding its
     * position froze the stream. Now a shard sends only to endpoints its workers named in
     * authenticated HELLOs: a host subscribing the old way gets nothing, a HELLO signed with a
     * guessed key opens nothing, and the rounds go on.
     */
    @Test
    void aRogueReceiverGetsNoAverageAndHoldsNothingBack() throws Exception {
        try (TestCluster cluster = new TestCluster(Channel.Transport.UDP, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024);
             AeronConnection rogue = AeronConnection.open(AeronSetup.external(cluster.workerDir))) {
            Channel ch = cluster.job.channel();
            // The old way in: a dynamic-MDC subscription announcing itself to the shard's second port.
            Subscription joiner = rogue.aeron().addSubscription("aeron:udp?endpoint=127.0.0.1:0|control=127.0.0.1:"
                + (ch.basePort() + 1) + "|control-mode=dynamic", ch.averageStreamId(0));
            // And a HELLO naming the rogue's own endpoint, signed with a guessed key.
            Subscription listener = rogue.aeron().addSubscription("aeron:udp?endpoint=127.0.0.1:0", ch.averageStreamId(0));
            Await.until("bound", () -> !listener.localSocketAddresses().isEmpty());
            byte[] endpoint = listener.localSocketAddresses().get(0).getBytes(StandardCharsets.US_ASCII);
            UnsafeBuffer hello = new UnsafeBuffer(new byte[MessageHeader.LENGTH + endpoint.length]);
            MessageHeader.write(hello, 0, MessageHeader.HELLO, JOB, Long.MAX_VALUE, 0, 0, 0, 0, 0, endpoint.length, 0);
            hello.putBytes(MessageHeader.LENGTH, endpoint);
            ByteBuffer payload = ByteBuffer.allocateDirect(endpoint.length).put(endpoint).flip();
            UnsafeBuffer signed = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
            signed.putBytes(0, hello, 0, MessageHeader.LENGTH);
            new MessageCodec(JOB, WRONG_KEY, cluster.job.mac()).sign(signed, payload);
            hello.putBytes(0, signed, 0, MessageHeader.LENGTH);
            try (RawSender raw = RawSender.toShard(cluster, 0, true)) {
                raw.send(hello);
            }
            Await.until("the forged HELLO counted", () -> cluster.server.drops().get(DropReason.BAD_HMAC) == 1);

            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            for (int round = 0; round < 3; round++) {
                ByteBuffer p0 = TestVectors.random(FLOATS, 10 + round);
                ByteBuffer p1 = TestVectors.random(FLOATS, 20 + round);
                ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
                int r = round;
                CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(r, p1));
                w0.pushAndAwait(round, p0);
                f1.get(30, TimeUnit.SECONDS);
                assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
            }
            int[] fragments = new int[1];
            joiner.poll((b, o, l, h) -> fragments[0]++, 1000);
            listener.poll((b, o, l, h) -> fragments[0]++, 1000);
            assertThat(joiner.imageCount()).isZero();
            assertThat(listener.imageCount()).isZero();
            assertThat(fragments[0]).isZero();
        }
    }

    /**
     * Finding 6: every worker and the server shared one key, so any worker could push as another,
     * or forge an average the others adopt. Now a worker holds only its own keys: worker 1's keys
     * sign neither a push that the server takes as worker 0's nor an average worker 0 takes.
     */
    @Test
    void aWorkerCanNeitherPushAsAnotherNorForgeTheAveragesAnotherTakes() throws Exception {
        try (TestCluster cluster = new TestCluster(Channel.Transport.UDP, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024)) {
            JobSpec worker1 = cluster.job.forWorker(1);
            assertThatThrownBy(worker1::secret).hasMessageContaining("keys only");
            assertThat(worker1.toString()).doesNotContain(java.util.Arrays.toString(TestCluster.SECRET));
            MessageCodec asWorker1 = new MessageCodec(JOB, worker1.keysOf(1).push(), cluster.job.mac());
            MessageCodec worker1Averages = new MessageCodec(JOB, worker1.keysOf(1).average(), cluster.job.mac());
            assertThatThrownBy(() -> worker1.keysOf(0)).hasMessageContaining("not worker 0");

            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = new ParameterClient(new ClientConfig(worker1, 1, "127.0.0.1", Duration.ofSeconds(30),
                Duration.ofSeconds(10), AeronSetup.external(cluster.workerDir)));
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            ByteBuffer poison = TestVectors.random(FLOATS, 666); // finite: only the MAC can tell
            try (w1) {
                // Worker 1 pushes a finite chunk in worker 0's name.
                try (RawSender raw = RawSender.toShard(cluster, 0, true)) {
                    raw.send(raw.chunk(asWorker1, MessageHeader.PUSH, JOB, 0, 0, 0, 0, poison));
                }
                Await.until("the impersonation counted", () -> cluster.server.drops().get(DropReason.BAD_HMAC) == 1);
                // And an average of round 0 to worker 0's endpoint, signed with its own average key.
                CompletableFuture<RoundStats> f0 = CompletableFuture.supplyAsync(() -> w0.pushAndAwait(0, p0));
                Await.until("worker 0 pushed", () -> cluster.server.openRoundBytes() == 4 * FLOATS);
                try (RawSender forger = new RawSender(cluster.workerDir, "aeron:udp?endpoint=" + w0.averagesEndpoint(0),
                    cluster.job.channel().averageStreamId(0), cluster.job.layout(), true)) {
                    for (int c = 0; c < cluster.job.layout().chunkCount(0); c++) {
                        forger.send(forger.chunk(worker1Averages, MessageHeader.AVERAGE, JOB, 0, MessageHeader.SERVER_SENDER, 0, c, poison));
                    }
                    // Its first chunk fails the MAC and its session is rejected: the rest may never arrive.
                    Await.until("worker 0 dropped the forged average", () -> w0.drops().get(DropReason.BAD_HMAC) >= 1);
                    Thread.sleep(200);
                }
                assertThat(w0.drops().total()).isEqualTo(w0.drops().get(DropReason.BAD_HMAC));
                assertThat(f0).isNotDone();
                w1.pushAndAwait(0, p1);
                f0.get(30, TimeUnit.SECONDS);
                assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
                assertThat(TestVectors.firstDifference(p1, expected)).isEqualTo(-1);
                // A worker cannot seed (replace the model): that needs the job's secret.
                assertThatThrownBy(() -> w1.seed(5, p1)).hasMessageContaining("only the job's driver can seed");
            }
        }
    }

    /**
     * Finding 8, first part: averages queued for a worker whose stream was down for a moment were
     * never sent again, and the worker waited out its time-out. Now a worker whose awaited round
     * stalls names its endpoint again and pushes its missing chunks again; the shard, whose round
     * is closed, sends it that round's average. Here worker 1's stream is closed (its own goodbye,
     * as after a brief disconnect) just before the round.
     */
    @Test
    void aWorkerWhoseAverageWasLostAsksAgainAndGetsIt() throws Exception {
        try (TestCluster cluster = new TestCluster(Channel.Transport.UDP, FLOATS, 2, 2, 1, CHUNK, Duration.ofSeconds(30),
            4 * 1024 * 1024)) {
            ParameterClient w0 = cluster.client(0);
            ParameterClient w1 = cluster.client(1);
            UnsafeBuffer goodbye = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
            MessageHeader.write(goodbye, 0, MessageHeader.HELLO, JOB, w1.helloStamp(), 0, 1, 0, 0, 0, 0, 0);
            cluster.pushCodec(1).sign(goodbye, null);
            try (RawSender raw = RawSender.toShard(cluster, 0, true)) {
                raw.send(goodbye);
            }
            Thread.sleep(300); // the shard closed worker 1's stream
            ByteBuffer p0 = TestVectors.random(FLOATS, 1);
            ByteBuffer p1 = TestVectors.random(FLOATS, 2);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            long t0 = System.nanoTime();
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(0, p1));
            w0.pushAndAwait(0, p0);
            f1.get(30, TimeUnit.SECONDS);
            assertThat(TestVectors.firstDifference(p1, expected)).isEqualTo(-1);
            assertThat(w1.resends()).isGreaterThanOrEqualTo(1);
            assertThat(System.nanoTime() - t0).as("well before the 30 s time-out").isLessThan(TimeUnit.SECONDS.toNanos(15));
        }
    }

    /** Heap in use after a full collection: what is still reachable. */
    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
