package io.alexnetspark.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.alexnetspark.data.manifest.Manifest;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RunFolderTest {

    @TempDir
    java.nio.file.Path tmp;

    private static final Config BASE = ConfigFactory.parseString("model { variant = alexnet-2012, classes = 10 }\n"
            + "training { batch-size = 16, epochs = 3, seed = 42 }\n"
            + "data.pipeline { flip = true, workers = 2 }\n"
            + "job { sync-mode = aeron-averaging, tau = 2, replicas = 2, average-momentum = true, output = x }\n"
            + "paramserver.port = 40123");

    private static Manifest manifest(String created) {
        return new Manifest(Manifest.FORMAT_VERSION, "fmnist", created, "src", "tree", null, 10, 0, 1, List.of(), Map.of());
    }

    private RunFolder folder() throws Exception {
        return new RunFolder(new Path(tmp.resolve("run").toUri().toString()), new Configuration());
    }

    private final StringWriter said = new StringWriter();
    private final PrintWriter out = new PrintWriter(said, true);

    @Test
    void aFreshRunIntoAFolderHoldingAnotherIsRefusedAndOverwriteMovesItAside() throws Exception {
        RunIdentity first = folder().claim(RunIdentity.of(BASE, manifest("t1")), RunFolder.Start.FRESH, false, out);
        Files.writeString(tmp.resolve("run/metrics.jsonl"), "{\"epoch\":1}\n");

        assertThatThrownBy(() -> folder().claim(RunIdentity.of(BASE, manifest("t1")), RunFolder.Start.FRESH, false, out))
                .isInstanceOf(RunFolderException.class)
                .hasMessageContaining(tmp.resolve("run").toString()).hasMessageContaining(first.runId())
                .hasMessageContaining("--resume").hasMessageContaining("--overwrite");
        assertThat(Files.readString(tmp.resolve("run/metrics.jsonl"))).isEqualTo("{\"epoch\":1}\n");

        RunIdentity second = folder().claim(RunIdentity.of(BASE, manifest("t1")), RunFolder.Start.OVERWRITE, false, out);
        assertThat(second.runId()).isNotEqualTo(first.runId());
        assertThat(said.toString()).contains("moved the run that was in").contains("nothing deleted");
        // The old run is whole beside it, under a new name.
        java.nio.file.Path aside;
        try (var s = Files.list(tmp)) {
            aside = s.filter(p -> p.getFileName().toString().startsWith("run.replaced-")).findFirst().orElseThrow();
        }
        assertThat(Files.readString(aside.resolve("metrics.jsonl"))).isEqualTo("{\"epoch\":1}\n");
        assertThat(aside.resolve("run.json")).content().contains(first.runId());
        assertThat(tmp.resolve("run/metrics.jsonl")).doesNotExist();
        assertThat(folder().identity().orElseThrow().runId()).isEqualTo(second.runId());
    }

    @Test
    void resumeAcceptsTheSameRunAndRefusesAnotherConfigurationOrDatasetSayingWhich() throws Exception {
        RunIdentity first = folder().claim(RunIdentity.of(BASE, manifest("t1")), RunFolder.Start.FRESH, false, out);
        // More epochs, other ports and decoder threads: still the same run.
        Config more = ConfigFactory.parseString("training.epochs = 9, paramserver.port = 1, data.pipeline.workers = 8").withFallback(BASE);
        assertThat(folder().claim(RunIdentity.of(more, manifest("t1")), RunFolder.Start.RESUME, false, out).runId())
                .isEqualTo(first.runId());

        Config otherTau = ConfigFactory.parseString("job.tau = 4").withFallback(BASE);
        assertThatThrownBy(() -> folder().claim(RunIdentity.of(otherTau, manifest("t1")), RunFolder.Start.RESUME, false, out))
                .isInstanceOf(RunFolderException.class).hasMessageContaining("the configuration (1 setting): job.tau was 2, is 4");
        assertThatThrownBy(() -> folder().claim(RunIdentity.of(BASE, manifest("t2")), RunFolder.Start.RESUME, false, out))
                .isInstanceOf(RunFolderException.class).hasMessageContaining("the dataset: was fmnist@t1")
                .hasMessageContaining("is fmnist@t2");
        assertThat(folder().identity().orElseThrow()).isEqualTo(first);
    }

    @Test
    void twoFreshRunsStartingAtOnceIntoOneFolderHaveOneWinner() throws Exception {
        int starters = 4;
        ExecutorService pool = Executors.newFixedThreadPool(starters);
        try {
            CyclicBarrier go = new CyclicBarrier(starters);
            List<Future<String>> outcomes = new java.util.ArrayList<>();
            for (int i = 0; i < starters; i++) {
                outcomes.add(pool.submit(() -> {
                    RunFolder f = folder();
                    RunIdentity mine = RunIdentity.of(BASE, manifest("t1"));
                    go.await();
                    try {
                        return f.claim(mine, RunFolder.Start.FRESH, false, out).runId();
                    } catch (RunFolderException e) {
                        return "refused";
                    }
                }));
            }
            List<String> results = new java.util.ArrayList<>();
            for (Future<String> f : outcomes) {
                results.add(f.get(1, TimeUnit.MINUTES));
            }
            assertThat(results.stream().filter(r -> !r.equals("refused"))).hasSize(1);
            assertThat(folder().identity().orElseThrow().runId()).isIn(results);
        } finally {
            pool.shutdownNow();
        }
    }
}
