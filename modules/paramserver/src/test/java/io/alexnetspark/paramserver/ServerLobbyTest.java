package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aeron.driver.MediaDriver;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Finding 7 of issue 15: a dedicated server had a static job id and secret, so traffic recorded in
 * an earlier run was valid again once it restarted at round −1, and two jobs pointed at it were
 * averaged together. Now it serves one run at a time, entered by a challenge-response claim, and
 * the run's keys follow its id. Real media drivers and UDP on loopback; the lobby is what the
 * launcher runs ({@link ParameterServerLauncher}).
 */
class ServerLobbyTest {

    private static final long FLOATS = 20_000;
    private static final long SERVER_JOB = 777;

    private final String serverDir = AeronDirs.fresh();
    private final String workerDir = AeronDirs.fresh();
    private MediaDriver serverDriver;
    private MediaDriver workerDriver;
    private AeronConnection serverClient;
    private JobSpec base;

    @BeforeEach
    void drivers() {
        serverDriver = AeronConnection.launchDriver(serverDir);
        workerDriver = AeronConnection.launchDriver(workerDir);
        serverClient = AeronConnection.open(AeronSetup.external(serverDir));
        Channel channel = Channel.udp("127.0.0.1", TestCluster.freePortRange(2)).withTermLength(4 * 1024 * 1024);
        base = new JobSpec(SERVER_JOB, TestCluster.SECRET, FLOATS, 2, 1, 64 * 1024, channel);
    }

    @AfterEach
    void close() {
        CloseHelper.closeAll(serverClient, workerDriver, serverDriver);
    }

    private ServerLobby lobby(Duration lease) {
        ServerConfig config = new ServerConfig(base, 2, Duration.ofSeconds(30), AeronSetup.external(serverDir));
        return new ServerLobby(config, serverClient.aeron(), lease, run -> new ParameterServer(run, null).start());
    }

    private ServerClaim driver() {
        return new ServerClaim(base, "127.0.0.1", Duration.ofSeconds(10), AeronSetup.external(workerDir));
    }

    private ParameterClient worker(JobSpec run, int w) {
        return new ParameterClient(new ClientConfig(run.forWorker(w), w, "127.0.0.1", Duration.ofSeconds(30), Duration.ofSeconds(10),
            AeronSetup.external(workerDir)));
    }

    /** One honest round of {@code run}: both workers, the exact mean. */
    private void round(JobSpec run, long round) throws Exception {
        try (ParameterClient w0 = worker(run, 0); ParameterClient w1 = worker(run, 1)) {
            ByteBuffer p0 = TestVectors.random(FLOATS, 1 + round);
            ByteBuffer p1 = TestVectors.random(FLOATS, 100 + round);
            ByteBuffer expected = TestVectors.mean(TestVectors.copy(p0), TestVectors.copy(p1));
            CompletableFuture<RoundStats> f1 = CompletableFuture.supplyAsync(() -> w1.pushAndAwait(round, p1));
            w0.pushAndAwait(round, p0);
            f1.get(30, TimeUnit.SECONDS);
            assertThat(TestVectors.firstDifference(p0, expected)).isEqualTo(-1);
        }
    }

    @Test
    void aSecondJobIsRefusedWhileTheFirstRunsAndAFormerRunsTrafficIsRefusedAfterARestart() throws Exception {
        long run1 = 0x1111_2222_3333_4444L;
        long run2 = 0x5555_6666_7777_8888L;
        UnsafeBuffer recorded;
        try (ServerLobby lobby = lobby(Duration.ofMinutes(10)); ServerClaim a = driver(); ServerClaim b = driver()) {
            JobSpec job1 = a.claim(run1);
            assertThat(job1.jobId()).isEqualTo(run1);
            assertThat(a.claim(run1).jobId()).as("claiming the run served again").isEqualTo(run1);
            round(job1, 0);
            // What someone on the network records of run 1: a genuine push of worker 1 for round 1.
            recorded = RawSender.signedChunk(job1.layout(), new MessageCodec(run1, job1.keysOf(1).push(), job1.mac()),
                MessageHeader.PUSH, run1, 1, 1, 0, 0, TestVectors.random(FLOATS, 9));

            assertThatThrownBy(() -> b.claim(run2))
                .isInstanceOf(ServerBusyException.class)
                .hasMessageContaining("serves another job: run " + Long.toHexString(run1))
                .hasMessageContaining("lease");
            assertThat(lobby.boundRun()).isEqualTo(run1);

            // A claim with a challenge that was not just given (a recorded one): refused.
            try (RawSender raw = new RawSender(workerDir, base.channel().lobbyChannel(0), Channel.LOBBY_STREAM_BASE,
                base.layout(), true)) {
                byte[] endpoint = "127.0.0.1:9".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                UnsafeBuffer h = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
                MessageHeader.write(h, 0, MessageHeader.CLAIM, SERVER_JOB, run2, 42, base.driverId(), 0, 0, 0, endpoint.length,
                    MessageHeader.CLAIM_TAKE);
                ByteBuffer payload = ByteBuffer.allocateDirect(endpoint.length).put(endpoint).flip();
                new MessageCodec(SERVER_JOB, base.controlKey(), base.mac()).sign(h, payload);
                UnsafeBuffer msg = new UnsafeBuffer(new byte[MessageHeader.LENGTH + endpoint.length]);
                msg.putBytes(0, h, 0, MessageHeader.LENGTH);
                msg.putBytes(MessageHeader.LENGTH, endpoint);
                raw.send(msg);
                Await.until("the replayed claim counted", () -> lobby.drops().get(DropReason.REPLAYED) == 1);
            }
            assertThat(lobby.boundRun()).isEqualTo(run1);
        }

        // The server restarts (a new process: a new lobby, nothing bound), and another job claims it.
        try (ServerLobby restarted = lobby(Duration.ofMinutes(10)); ServerClaim b = driver()) {
            JobSpec job2 = b.claim(run2);
            ParameterServer server = restarted.current();
            try (RawSender replayer = new RawSender(workerDir, base.channel().workerPushChannel(0, "127.0.0.1"),
                base.channel().pushStreamId(0), base.layout(), true)) {
                replayer.send(recorded);
                Await.until("run 1's recorded push refused", () -> server.drops().get(DropReason.WRONG_JOB) == 1);
            }
            assertThat(server.openRoundBytes()).isZero();
            assertThat(server.latestRound()).isEqualTo(-1);
            round(job2, 0);
            assertThat(b.release(run2)).as("every shard confirms the release").isTrue();
            assertThat(restarted.current()).isNull();
        }
    }

    @Test
    void aRunSilentForLongerThanTheLeaseGivesWay() throws Exception {
        try (ServerLobby lobby = lobby(Duration.ofMillis(500)); ServerClaim a = driver(); ServerClaim b = driver()) {
            a.claim(1);
            Thread.sleep(800);
            JobSpec job2 = b.claim(2);
            assertThat(lobby.boundRun()).isEqualTo(2);
            round(job2, 0);
        }
    }
}
