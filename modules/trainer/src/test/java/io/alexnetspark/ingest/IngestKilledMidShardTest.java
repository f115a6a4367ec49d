package io.alexnetspark.ingest;

import io.alexnetspark.cli.AlexNetCli;
import io.alexnetspark.cli.CliRun;
import io.alexnetspark.data.demo.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** An ingest process SIGKILLed while it writes a shard, then run again: complete, and nothing of the killed run left. */
class IngestKilledMidShardTest {

    @Test
    void aRerunAfterSigkillMidShardCompletesAndCleansTheLeftovers(@TempDir Path dir) throws Exception {
        Path idx = FashionMnist.fetch(Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"), System.err);
        Path tree = dir.resolve("tree");
        FashionMnist.writeImageTree(idx, tree, 60, 2);
        Path out = dir.resolve("shards");
        List<String> args = List.of("ingest", "--input", tree.toString(), "--output", out.toUri().toString(),
                "--engine", "local", "--set", "data.ingest.threads=1", "--set", "data.ingest.images-per-shard=100");

        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of(System.getProperty("alexnet.project.dir", "../..")).resolve("conf/jvm.options"), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), AlexNetCli.class.getName()));
        cmd.addAll(args);
        Process ingest = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        try {
            // Killed as soon as a shard is being written (its staging file exists), before any is published.
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!stagingFileUnder(out)) {
                assertThat(ingest.isAlive()).as("the ingest runs until it writes a shard: %s",
                        Files.exists(dir.resolve("killed.log")) ? Files.readString(dir.resolve("killed.log")) : "").isTrue();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(2);
            }
            ingest.destroyForcibly(); // SIGKILL
            assertThat(ingest.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            ingest.destroyForcibly();
        }
        assertThat(stagingFileUnder(out)).as("the killed run left its staging shard").isTrue();
        assertThat(out.resolve("manifest.json")).doesNotExist();

        CliRun again = CliRun.of(args);
        assertThat(again.exit()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("600 images").contains("20 images");
        assertThat(out.resolve("manifest.json")).exists();
        assertThat(stagingFileUnder(out)).as("no staging file is left after the re-run").isFalse();
    }

    private static boolean stagingFileUnder(Path root) throws java.io.IOException {
        if (!Files.exists(root)) {
            return false;
        }
        try (var files = Files.walk(root)) {
            return files.anyMatch(p -> p.getFileName().toString().startsWith("_tmp."));
        }
    }
}
