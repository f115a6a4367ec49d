package io.alexnetspark.doctor;

import io.alexnetspark.LocalSpark;
import io.alexnetspark.model.config.ConfigLoader;
import io.alexnetspark.train.TrainSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code doctor --cluster}'s checks on local Spark (two executor threads on 127.0.0.1): every port
 * bound and answered, and each way it fails: a parameter-server port another process holds, a port
 * nobody answers, an output folder that cannot be written. Across hosts: MultiHostClusterIT.
 */
class ClusterDoctorTest {

    @Test
    void everyExecutorBindsItsShardPortsAndReachesTheOthers(@TempDir Path dir) throws Exception {
        String report = run(dir, "executors", freePortPair(), true);
        for (int e = 0; e < 2; e++) {
            assertThat(report).contains("executor " + e + " on 127.0.0.1: parameter server ports (UDP) reached 2 of 2")
                    .containsPattern("executor " + e + " on 127.0.0.1: clock [+-]\\d+ ms from the driver's")
                    .contains("executor " + e + " on 127.0.0.1: output folder file:" + dir.resolve("runs") + " writable: ok");
        }
        assertThat(report).contains("2 executors on 1 hosts").doesNotContain("FAILED");
    }

    @Test
    void aServerPortHeldByAnotherProcessIsReportedFromBothSides(@TempDir Path dir) throws Exception {
        int port = freePortPair();
        try (DatagramSocket squatter = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            String report = run(dir, "driver", port, false);
            assertThat(report).contains("driver 127.0.0.1: parameter server port " + port + " (UDP) cannot be bound")
                    .contains("reached 1 of 2").contains("NO ANSWER from [127.0.0.1:" + port + "]");
        }
    }

    @Test
    void anOutputFolderThatCannotBeWrittenFails(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("a-file"), "not a folder");
        StorageCheck.Result r = StorageCheck.writable("file:" + dir.resolve("a-file/run"));
        assertThat(r.ok()).isFalse();
        assertThat(r.toString()).contains("writable: FAILED");
        assertThat(StorageCheck.readable("file:" + dir.resolve("nothing")).toString()).contains("no manifest.json there");
    }

    @Test
    void aPortNobodyAnswersIsUnreachableWithinTheWait() throws Exception {
        int port = freePortPair();
        long t0 = System.nanoTime();
        assertThat(UdpProbe.probe("127.0.0.1", "127.0.0.1", port, 2, Duration.ofMillis(200))).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
        try (UdpEcho echo = new UdpEcho("127.0.0.1", port)) {
            Optional<UdpProbe.Answer> a = UdpProbe.probe("127.0.0.1", "127.0.0.1", port, 2, Duration.ofMillis(500));
            assertThat(a).isPresent();
            // One machine, one clock: the offset is within the round trip.
            assertThat(Math.abs(a.get().clockOffsetMillis())).isLessThanOrEqualTo(1 + (long) a.get().rttMillis());
        }
    }

    private static String run(Path dir, String placement, int port, boolean expectOk) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.writeString(data.resolve("manifest.json"), "{}");
        TrainSettings ts = TrainSettings.from(new ConfigLoader().load(Optional.empty(), List.of(
                "job.data=file:" + data, "job.output=file:" + dir.resolve("runs/r1"), "job.replicas=2",
                "paramserver.placement=" + placement, "paramserver.port=" + port)));
        StringWriter text = new StringWriter();
        boolean ok = new ClusterDoctor(LocalSpark.context(), ts, Duration.ofSeconds(10)).run(new PrintWriter(text, true));
        assertThat(ok).as(text.toString()).isEqualTo(expectOk);
        return text.toString();
    }

    /** Two free UDP ports in a row on loopback (a shard takes port and port + 1). */
    private static int freePortPair() throws Exception {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (DatagramSocket a = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
                int p = a.getLocalPort();
                if (p % 2 == 0 && p < 65000) {
                    try (DatagramSocket b = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p + 1));
                         DatagramSocket c = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p + 2));
                         DatagramSocket d = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p + 3))) {
                        return p;
                    } catch (java.net.SocketException taken) {
                        // try another
                    }
                }
            }
        }
        throw new IllegalStateException("no four free UDP ports in a row");
    }
}
