package io.alexnetspark.paramserver;

import io.aeron.driver.MediaDriver;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import org.agrona.CloseHelper;

/**
 * A real server plus a worker-side media driver on loopback (UDP) or one shared driver (IPC), each
 * in its own /dev/shm directory, all closed (and the directories checked gone) by {@link #close()}.
 */
final class TestCluster implements AutoCloseable {

    static final byte[] SECRET = "test-secret-0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final long JOB_ID = 4242;

    final JobSpec job;
    final ParameterServer server;
    final String serverDir = "/dev/shm/alexnet-ps-test-" + UUID.randomUUID();
    final String workerDir;
    private final MediaDriver workerDriver;
    private final List<ParameterClient> clients = new ArrayList<>();
    final List<ShardRoundStats> serverStats = new java.util.concurrent.CopyOnWriteArrayList<>();

    TestCluster(Channel.Transport transport, long floats, int workers, int quorum, int shards, int chunkBytes,
                Duration roundTimeout, int termLength) {
        this(transport, floats, workers, quorum, shards, chunkBytes, roundTimeout, termLength, JobSpec.DEFAULT_MAC);
    }

    TestCluster(Channel.Transport transport, long floats, int workers, int quorum, int shards, int chunkBytes,
                Duration roundTimeout, int termLength, MacAlgorithm mac) {
        this(transport, floats, workers, quorum, shards, chunkBytes, roundTimeout, termLength, mac, null);
    }

    /** With {@code extraListener} called after the test's own record of each round's stats (may be null). */
    TestCluster(Channel.Transport transport, long floats, int workers, int quorum, int shards, int chunkBytes,
                Duration roundTimeout, int termLength, MacAlgorithm mac, Consumer<ShardRoundStats> extraListener) {
        Channel channel = transport == Channel.Transport.IPC
            ? Channel.ipc().withTermLength(termLength)
            : Channel.udp("127.0.0.1", freePortRange(2 * shards)).withTermLength(termLength);
        this.job = new JobSpec(JOB_ID, SECRET, floats, workers, shards, chunkBytes, channel, mac);
        Consumer<ShardRoundStats> record = serverStats::add;
        Consumer<ShardRoundStats> listener = extraListener == null ? record : record.andThen(extraListener);
        this.server = new ParameterServer(new ServerConfig(job, quorum, roundTimeout, AeronSetup.embedded(serverDir)), listener);
        server.start();
        if (transport == Channel.Transport.UDP) {
            workerDir = "/dev/shm/alexnet-ps-test-workers-" + UUID.randomUUID();
            workerDriver = AeronConnection.launchDriver(workerDir);
        } else {
            workerDir = serverDir;
            workerDriver = null;
        }
    }

    /** A codec signing as worker {@code w} does (its push key). */
    MessageCodec pushCodec(int worker) {
        return new MessageCodec(job.jobId(), job.keysOf(worker).push(), job.mac());
    }

    /** A codec signing as the server does for worker {@code w} (its average key). */
    MessageCodec averageCodec(int worker) {
        return new MessageCodec(job.jobId(), job.keysOf(worker).average(), job.mac());
    }

    /** A codec signing as the driver does for a SEED (the control key). */
    MessageCodec controlCodec() {
        return new MessageCodec(job.jobId(), job.controlKey(), job.mac());
    }

    ClientConfig clientConfig(int workerId) {
        return new ClientConfig(job, workerId, "127.0.0.1", Duration.ofSeconds(30), Duration.ofSeconds(10),
            AeronSetup.external(workerDir));
    }

    ParameterClient client(int workerId) {
        ParameterClient c = new ParameterClient(clientConfig(workerId));
        synchronized (clients) {
            clients.add(c);
        }
        return c;
    }

    @Override
    public void close() {
        synchronized (clients) {
            CloseHelper.closeAll(clients);
        }
        CloseHelper.closeAll(workerDriver, server);
        if (Files.exists(Path.of(serverDir)) || Files.exists(Path.of(workerDir))) {
            throw new AssertionError("Aeron directory left behind: " + serverDir + " / " + workerDir);
        }
    }

    /**
     * A standalone server ({@link ParameterServerLauncher}) as its own JVM with the project's JVM
     * flags and this test's classpath, the job secret in its environment, stdout and stderr merged.
     */
    static ProcessBuilder launcherProcess(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "@" + Path.of(System.getProperty("alexnet.project.dir"), "conf", "jvm.options"), "-Xmx256m",
            "-cp", System.getProperty("java.class.path"), ParameterServerLauncher.class.getName()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put(ParameterServerLauncher.SECRET_ENV, java.util.Base64.getEncoder().encodeToString(SECRET));
        return pb;
    }

    /** A base port with {@code n} consecutive free UDP ports on 127.0.0.1. */
    static int freePortRange(int n) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 60000 - n);
            if (allFree(base, n)) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range of " + n);
    }

    private static boolean allFree(int base, int n) {
        for (int p = base; p < base + n; p++) {
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))) {
                s.getLocalPort();
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
