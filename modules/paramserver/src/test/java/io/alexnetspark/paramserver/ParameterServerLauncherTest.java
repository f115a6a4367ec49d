package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ParameterServerLauncherTest {

    private static final String SECRET_B64 = Base64.getEncoder().encodeToString(TestCluster.SECRET);

    @Test
    void parsesOptionsAndTakesTheSecretFromTheEnvironment() {
        ServerConfig c = ParameterServerLauncher.parse(new String[] {"--floats", "1000", "--workers", "4", "--quorum", "3",
            "--shards", "2", "--transport", "udp", "--host", "127.0.0.1", "--port", "41000", "--job-id", "9",
            "--round-timeout-ms", "1500"}, Map.of(ParameterServerLauncher.SECRET_ENV, SECRET_B64));
        assertThat(c.quorum()).isEqualTo(3);
        assertThat(c.job().shards()).isEqualTo(2);
        assertThat(c.job().channel().basePort()).isEqualTo(41000);
        assertThat(c.job().secret()).isEqualTo(TestCluster.SECRET);
        assertThat(c.roundTimeout().toMillis()).isEqualTo(1500);
        assertThat(c.job().toString()).doesNotContain(SECRET_B64).contains("redacted");
        assertThat(c.job().mac()).isEqualTo(MacAlgorithm.AES_GCM);
        assertThat(c.servedShards()).isEmpty();
        ServerConfig split = ParameterServerLauncher.parse(new String[] {"--floats", "1000", "--workers", "4", "--shards", "2",
            "--host", "10.0.0.6", "--shard-hosts", "10.0.0.5,10.0.0.6", "--serve-shards", "1", "--port", "41000",
            "--job-id", "9", "--mac", "hmac-sha256"}, Map.of(ParameterServerLauncher.SECRET_ENV, SECRET_B64));
        assertThat(split.job().channel().hostOf(0)).isEqualTo("10.0.0.5");
        assertThat(split.servedShards()).containsExactly(1);
        assertThat(split.job().mac()).isEqualTo(MacAlgorithm.HMAC_SHA256);
    }

    @Test
    void refusesMissingSecretUnknownOptionsAndWildcardBinds() {
        String[] base = {"--floats", "1000", "--workers", "2", "--port", "41000", "--job-id", "1"};
        assertThatThrownBy(() -> ParameterServerLauncher.parse(base, Map.of())).hasMessageContaining("secret");
        assertThatThrownBy(() -> ParameterServerLauncher.parse(new String[] {"--floats", "1000", "--workers", "2",
            "--job-id", "1", "--bogus", "1"}, Map.of()))
            .hasMessageContaining("Unknown option");
        String[] wildcard = {"--floats", "1000", "--workers", "2", "--port", "41000", "--job-id", "1", "--host", "0.0.0.0"};
        assertThatThrownBy(() -> ParameterServerLauncher.parse(wildcard, Map.of(ParameterServerLauncher.SECRET_ENV, SECRET_B64)))
            .hasMessageContaining("concrete interface");
        String[] ipcOnHosts = {"--floats", "1000", "--workers", "2", "--job-id", "1", "--transport", "ipc",
            "--shard-hosts", "127.0.0.1"};
        assertThatThrownBy(() -> ParameterServerLauncher.parse(ipcOnHosts, Map.of(ParameterServerLauncher.SECRET_ENV, SECRET_B64)))
            .hasMessageContaining("shard hosts are for UDP");
    }

    /**
     * Finding 8 of issue 15: {@code --aeron-dir} used to let the media driver delete an existing
     * directory recursively (following links); a secret file's permissions and length were not checked.
     */
    @Test
    void refusesAnExistingAeronDirAndSecretFilesOthersCanReadOrThatAreShort(@org.junit.jupiter.api.io.TempDir Path tmp)
        throws Exception {
        Path precious = Files.createDirectory(tmp.resolve("precious"));
        Files.writeString(precious.resolve("keep.txt"), "not Aeron's");
        Path link = Files.createSymbolicLink(tmp.resolve("link"), precious);
        for (Path dir : List.of(precious, link)) {
            String[] args = {"--floats", "1000", "--workers", "2", "--port", "41000", "--job-id", "1", "--aeron-dir", dir.toString()};
            assertThatThrownBy(() -> ParameterServerLauncher.parse(args, Map.of(ParameterServerLauncher.SECRET_ENV, SECRET_B64)))
                .hasMessageContaining(dir + " already exists").hasMessageContaining("delete");
        }
        assertThatThrownBy(() -> AeronConnection.launchDriver(link.toString())).hasMessageContaining("already exists");
        assertThat(precious.resolve("keep.txt")).exists();

        Path secret = tmp.resolve("ps.key");
        Files.write(secret, TestCluster.SECRET);
        String[] withFile = {"--floats", "1000", "--workers", "2", "--port", "41000", "--job-id", "1", "--secret-file", secret.toString()};
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> ParameterServerLauncher.parse(withFile, Map.of()))
            .hasMessageContaining("can be read or written by others").hasMessageContaining("chmod 600");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        assertThat(ParameterServerLauncher.parse(withFile, Map.of()).job().secret()).isEqualTo(TestCluster.SECRET);
        Files.writeString(secret, "short");
        assertThatThrownBy(() -> ParameterServerLauncher.parse(withFile, Map.of()))
            .hasMessageContaining("holds 5 bytes").hasMessageContaining("at least 16");
    }

    @Test
    void driverDirectoriesAreOwnerOnly() throws Exception {
        String dir = AeronSetup.embeddedFresh().aeronDir();
        Path root = Path.of(dir).getParent();
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(root))).isEqualTo("rwx------");
        try (io.aeron.driver.MediaDriver driver = AeronConnection.launchDriver(dir)) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(Path.of(dir))))
                .isEqualTo("rwx------");
        }
        assertThat(Path.of(dir)).doesNotExist();
    }

    @Test
    void standaloneServerStopsCleanlyOnSigterm() throws Exception {
        String dir = "/dev/shm/alexnet-ps-test-launcher-" + UUID.randomUUID();
        Process p = TestCluster.launcherProcess(List.of("--floats", "1000", "--workers", "2", "--transport", "udp",
            "--host", "127.0.0.1", "--port", String.valueOf(TestCluster.freePortRange(2)), "--job-id", "3",
            "--aeron-dir", dir)).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            StringBuilder seen = new StringBuilder();
            String line;
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                if (line.contains("serving until SIGTERM")) {
                    break;
                }
            }
            assertThat(seen.toString()).contains("serving until SIGTERM").doesNotContain(SECRET_B64);
            assertThat(Files.isDirectory(Path.of(dir))).isTrue();
            p.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
            }
            // 143 = 128 + SIGTERM: the JVM's exit status when a signal started the shutdown, after our hook ran.
            assertThat(p.exitValue()).as(seen.toString()).isIn(0, 143);
            // The last lines are not lost to log4j's own shutdown hook (the launcher removes it and
            // stops logging itself once the server is closed).
            assertThat(seen.toString()).contains("shutting down").contains("stopped: shards closed");
        } finally {
            p.destroyForcibly();
        }
        assertThat(Files.exists(Path.of(dir))).as("Aeron dir deleted on shutdown").isFalse();
    }
}
