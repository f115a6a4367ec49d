package io.alexnetspark.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code alexnet-spark paramserver} as its own process on loopback over UDP, as an operator starts
 * it on a dedicated node: the tests' external parameter server. Closing it sends SIGTERM (then
 * SIGKILL after 20 s); {@link #kill} is the crash.
 */
final class DedicatedServer implements AutoCloseable {

    final Process process;
    final Path log;
    final String aeronDir = "/dev/shm/alexnet-ps-test-dedicated-" + java.util.UUID.randomUUID();

    /** Starts it and waits (up to 60 s) until it serves. */
    DedicatedServer(long floats, int workers, int shards, int port, long jobId, Path secret, Path log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of(System.getProperty("alexnet.project.dir", "../..")).resolve("conf/jvm.options"), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), AlexNetCli.class.getName(), "paramserver",
                "--floats", String.valueOf(floats), "--workers", String.valueOf(workers), "--shards", String.valueOf(shards),
                "--transport", "udp", "--host", "127.0.0.1", "--port", String.valueOf(port), "--job-id", String.valueOf(jobId),
                "--secret-file", secret.toString(), "--aeron-dir", aeronDir));
        this.log = log;
        this.process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(log).contains("serving until SIGTERM")) {
            assertThat(process.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("server started within 60 s").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    String log() throws java.io.IOException {
        return Files.readString(log);
    }

    /** SIGKILL: no shutdown, as a crashed node. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
