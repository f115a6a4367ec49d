package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import io.aeron.driver.MediaDriver;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Test;

/**
 * Shards served by separate servers on separate addresses: 127.0.0.1 and 127.0.0.2 are two
 * "hosts" on loopback (Linux routes all of 127/8 there), each server binds only its own. The
 * workers reach every shard at its own address and must still get the bit-exact mean.
 */
class ShardsOnSeveralHostsTest {

    private static final long FLOATS = 300_007;
    private static final int CHUNK = 128 * 1024;
    private static final int TERM = 4 * 1024 * 1024;
    private static final List<String> HOSTS = List.of("127.0.0.1", "127.0.0.2");

    @Test
    void twoServersEachServingOneShardAverageTogether() throws Exception {
        Channel channel = Channel.udp("127.0.0.1", TestCluster.freePortRange(4)).withTermLength(TERM).withShardHosts(HOSTS);
        JobSpec job = new JobSpec(TestCluster.JOB_ID, TestCluster.SECRET, FLOATS, 3, 2, CHUNK, channel);
        List<AutoCloseable> open = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            ParameterServer[] servers = new ParameterServer[2];
            for (int s = 0; s < 2; s++) {
                String dir = "/dev/shm/alexnet-ps-test-host" + s + "-" + UUID.randomUUID();
                dirs.add(dir);
                servers[s] = new ParameterServer(new ServerConfig(job, 3, Duration.ofSeconds(30), AeronSetup.embedded(dir))
                    .serving(List.of(s)), null).start();
                open.add(servers[s]);
            }
            // Each shard's push port is bound on its own host only: shard 1's on 127.0.0.2, not 127.0.0.1.
            int shard1Port = channel.basePort() + 2;
            assertThat(bindable("127.0.0.2", shard1Port)).isFalse();
            assertThat(bindable("127.0.0.1", shard1Port)).isTrue();
            assertThat(bindable("127.0.0.1", channel.basePort())).isFalse();
            ByteBuffer initial = TestVectors.random(FLOATS, 7);
            for (ParameterServer server : servers) {
                server.publishInitial(0, initial);
            }
            String workerDir = "/dev/shm/alexnet-ps-test-hostworkers-" + UUID.randomUUID();
            dirs.add(workerDir);
            MediaDriver workerDriver = AeronConnection.launchDriver(workerDir);
            open.add(0, workerDriver);
            List<ParameterClient> clients = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                clients.add(new ParameterClient(new ClientConfig(job, w, "127.0.0.1", Duration.ofSeconds(30),
                    Duration.ofSeconds(10), AeronSetup.external(workerDir))));
                open.add(0, clients.get(w));
            }
            // A joining worker gets the seeded average from both servers.
            ByteBuffer pulled = TestVectors.direct(FLOATS);
            assertThat(clients.get(0).pullLatest(pulled).round()).isEqualTo(0);
            assertThat(TestVectors.firstDifference(pulled, initial)).isEqualTo(-1);

            for (long round = 1; round <= 2; round++) {
                ByteBuffer[] params = new ByteBuffer[3];
                for (int w = 0; w < 3; w++) {
                    params[w] = TestVectors.random(FLOATS, 100 * round + w);
                }
                ByteBuffer expected = TestVectors.mean(params);
                List<Future<RoundStats>> results = new ArrayList<>();
                for (int w = 0; w < 3; w++) {
                    ParameterClient c = clients.get(w);
                    ByteBuffer p = params[w];
                    long r = round;
                    results.add(pool.submit(() -> c.pushAndAwait(r, p)));
                }
                for (int w = 0; w < 3; w++) {
                    assertThat(results.get(w).get(60, TimeUnit.SECONDS).minContributors()).isEqualTo(3);
                    assertThat(TestVectors.firstDifference(params[w], expected)).as("worker %d round %d", w, round).isEqualTo(-1);
                }
                // Each server holds (and hands out) only its own shard's range; the rest of dst stays as it was.
                ShardLayout layout = job.layout();
                for (int s = 0; s < 2; s++) {
                    ByteBuffer onServer = TestVectors.random(FLOATS, 999);
                    ByteBuffer untouched = TestVectors.copy(onServer);
                    assertThat(servers[s].latestAverage(onServer, Duration.ofSeconds(5))).isEqualTo(round);
                    for (int t = 0; t < 2; t++) {
                        ByteBuffer want = t == s ? expected : untouched;
                        int from = (int) layout.shardStartByte(t);
                        int to = from + layout.shardBytes(t);
                        assertThat(onServer.duplicate().position(from).limit(to))
                            .as("server %d, range of shard %d", s, t).isEqualTo(want.duplicate().position(from).limit(to));
                    }
                }
            }
            assertThat(servers[0].drops().total() + servers[1].drops().total()).isZero();
        } finally {
            pool.shutdownNow();
            for (AutoCloseable c : open) {
                CloseHelper.quietClose(c);
            }
        }
        for (String dir : dirs) {
            assertThat(Files.exists(Path.of(dir))).as("Aeron dir %s deleted", dir).isFalse();
        }
    }

    @Test
    void standaloneProcessesOnTwoAddressesServeOneShardEach() throws Exception {
        int port = TestCluster.freePortRange(4);
        Channel channel = Channel.udp("127.0.0.1", port).withTermLength(TERM).withShardHosts(HOSTS);
        JobSpec job = new JobSpec(TestCluster.JOB_ID, TestCluster.SECRET, FLOATS, 2, 2, CHUNK, channel);
        List<Process> processes = new ArrayList<>();
        List<String> dirs = new ArrayList<>();
        String workerDir = "/dev/shm/alexnet-ps-test-procworkers-" + UUID.randomUUID();
        MediaDriver workerDriver = null;
        List<ParameterClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int s = 0; s < 2; s++) {
                String dir = "/dev/shm/alexnet-ps-test-proc" + s + "-" + UUID.randomUUID();
                dirs.add(dir);
                processes.add(TestCluster.launcherProcess(List.of("--floats", String.valueOf(FLOATS), "--workers", "2", "--shards", "2",
                    "--transport", "udp", "--host", HOSTS.get(s), "--shard-hosts", String.join(",", HOSTS),
                    "--serve-shards", String.valueOf(s), "--port", String.valueOf(port), "--term-length", String.valueOf(TERM),
                    "--chunk-bytes", String.valueOf(CHUNK), "--job-id", String.valueOf(TestCluster.JOB_ID), "--aeron-dir", dir)).start());
            }
            for (int s = 0; s < 2; s++) {
                String seen = awaitLine(processes.get(s), "serving until SIGTERM");
                assertThat(seen).contains("shards [" + s + "] of 2");
            }
            workerDriver = AeronConnection.launchDriver(workerDir);
            // A job claims both processes for its run (one lobby per shard's host), then works under the run's id.
            JobSpec run;
            try (ServerClaim claim = new ServerClaim(job, "127.0.0.1", Duration.ofSeconds(20), AeronSetup.external(workerDir))) {
                run = claim.claim(0xabcdefL);
            }
            for (int w = 0; w < 2; w++) {
                clients.add(new ParameterClient(new ClientConfig(run.forWorker(w), w, "127.0.0.1", Duration.ofSeconds(30),
                    Duration.ofSeconds(20), AeronSetup.external(workerDir))));
            }
            // Nothing seeded: the first round is 0.
            ByteBuffer[] params = {TestVectors.random(FLOATS, 1), TestVectors.random(FLOATS, 2)};
            ByteBuffer expected = TestVectors.mean(params);
            List<Future<RoundStats>> results = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                ParameterClient c = clients.get(w);
                ByteBuffer p = params[w];
                results.add(pool.submit(() -> c.pushAndAwait(0, p)));
            }
            for (int w = 0; w < 2; w++) {
                assertThat(results.get(w).get(60, TimeUnit.SECONDS).round()).isZero();
                assertThat(TestVectors.firstDifference(params[w], expected)).as("worker %d", w).isEqualTo(-1);
            }
        } finally {
            pool.shutdownNow();
            CloseHelper.closeAll(clients);
            CloseHelper.quietClose(workerDriver);
            for (Process p : processes) {
                p.toHandle().destroy();
            }
            for (Process p : processes) {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
        for (String dir : dirs) {
            assertThat(Files.exists(Path.of(dir))).as("Aeron dir %s deleted on SIGTERM", dir).isFalse();
        }
        assertThat(Files.exists(Path.of(workerDir))).isFalse();
    }

    private static boolean bindable(String host, int port) {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(new java.net.InetSocketAddress(host, port))) {
            return socket.isBound();
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    /** Reads the process's output until a line containing {@code marker}; returns what was read. */
    private static String awaitLine(Process p, String marker) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains(marker)) {
                // Keep draining in the background so the process never blocks on a full pipe.
                Thread drain = new Thread(() -> {
                    try {
                        while (out.readLine() != null) {
                            // discard
                        }
                    } catch (java.io.IOException e) {
                        // the process ended
                    }
                });
                drain.setDaemon(true);
                drain.start();
                return seen.toString();
            }
        }
        throw new AssertionError("process ended before '" + marker + "':\n" + seen);
    }
}
