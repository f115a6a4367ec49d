package io.alexnetspark.cli;

import io.alexnetspark.data.demo.FashionMnist;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `train` as a user runs it: on shards that `ingest` wrote from real Fashion-MNIST photos, with
 * the demo configuration, aeron-averaging on local Spark, then `--resume` for one more epoch.
 */
class TrainCommandTest {

    private static String[] run(List<String> args) {
        CommandLine cli = AlexNetCli.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args.toArray(String[]::new));
        return new String[] {String.valueOf(exit), out.toString(), err.toString()};
    }

    @Test
    void trainsWritesModelMetricsReportAndResumes(@TempDir Path tmp) throws Exception {
        Path project = Path.of(System.getProperty("alexnet.project.dir", "../.."));
        Path idx = FashionMnist.fetch(Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"),
                System.err);
        FashionMnist.writeImageTree(idx, tmp.resolve("tree"), 64, 10);
        String conf = project.resolve("conf/demo.conf").toString();
        String shards = tmp.resolve("shards").toUri().toString();
        String[] ingest = run(List.of("ingest", "--config", conf, "--input", tmp.resolve("tree").toString(),
                "--output", shards, "--set", "data.ingest.images-per-shard=80"));
        assertThat(ingest[0]).as(ingest[2]).isEqualTo("0");

        List<String> train = new ArrayList<>(List.of("train", "--config", conf, "--set", "job.data=" + shards,
                "--set", "job.output=" + tmp.resolve("run").toUri(), "--set", "training.batch-size=16",
                "--set", "job.tau=2", "--set", "job.replicas=2"));
        List<String> first = new ArrayList<>(train);
        first.addAll(List.of("--set", "training.epochs=1"));
        String[] r1 = run(first);
        assertThat(r1[0]).as(r1[1] + r1[2]).isEqualTo("0");
        assertThat(r1[1]).contains("trained 1 epochs (AERON_AVERAGING, 2 replicas)");

        List<String> second = new ArrayList<>(train);
        second.addAll(List.of("--set", "training.epochs=2", "--resume"));
        String[] r2 = run(second);
        assertThat(r2[0]).as(r2[1] + r2[2]).isEqualTo("0");
        assertThat(r2[1]).contains("resuming from").contains("after epoch 1").contains("trained 2 epochs");

        Path runDir = tmp.resolve("run");
        assertThat(Files.readAllLines(runDir.resolve("metrics.jsonl"))).hasSize(2);
        assertThat(runDir.resolve("model/model.zip")).exists();
        var card = new com.fasterxml.jackson.databind.ObjectMapper().readTree(runDir.resolve("model/card.json").toFile());
        assertThat(card.get("variant").asText()).isEqualTo("alexnet-2012");
        assertThat(card.get("classes").asInt()).isEqualTo(10);
        assertThat(card.get("top1Error").asDouble()).isBetween(0.0, 1.0);
        assertThat(runDir.resolve("report/report.html")).exists();
        assertThat(runDir.resolve("report/error.png")).exists();
        assertThat(runDir.resolve("checkpoints/ckpt-000002")).isDirectory();

        // The trained model, evaluated as a user would: figures per class and the confusions.
        String[] ev = run(List.of("evaluate", "--config", conf, "--model", runDir.resolve("model/model.zip").toUri().toString(),
                "--data", shards));
        assertThat(ev[0]).as(ev[1] + ev[2]).isEqualTo("0");
        assertThat(ev[1]).contains("100 images").contains("top-1 error").contains("per-class accuracy:")
                .contains("trouser").contains("most confused (true -> predicted):");
    }

    @Test
    void aMissingDataKeyIsAClearError() {
        String[] r = run(List.of("train"));
        assertThat(r[0]).isEqualTo(String.valueOf(AlexNetCli.EXIT_USAGE));
        assertThat(r[2]).contains("job.data").contains("required");
    }
}
