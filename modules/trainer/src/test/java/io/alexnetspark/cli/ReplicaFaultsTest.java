package io.alexnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alexnetspark.data.demo.FashionMnist;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults inside the replicas of {@code train} (aeron-averaging, local Spark, the server in the
 * driver), made by the test-only hook {@code alexnet.test.replica-faults}: a replica task that
 * fails mid-epoch, a replica whose parameters turn NaN, all of them turning NaN, and a slow replica
 * with a quorum below the replica count. Processes are killed for real in {@code StandaloneClusterIT}.
 */
class ReplicaFaultsTest {

    private static final String FAULTS = "alexnet.test.replica-faults";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static String conf;
    static String shards;

    @BeforeAll
    static void ingest() throws Exception {
        Path project = Path.of(System.getProperty("alexnet.project.dir", "../.."));
        Path idx = FashionMnist.fetch(Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"),
                System.err);
        FashionMnist.writeImageTree(idx, tmp.resolve("tree"), 64, 10);
        conf = project.resolve("conf/demo.conf").toString();
        shards = tmp.resolve("shards").toUri().toString();
        CliRun ingest = CliRun.of(List.of("ingest", "--config", conf, "--input", tmp.resolve("tree").toString(),
                "--output", shards, "--set", "data.ingest.images-per-shard=80"));
        assertThat(String.valueOf(ingest.exit())).as(ingest.err()).isEqualTo("0");
    }

    /** 640 training images, 2 replicas, batch 16, tau 2: 10 rounds per replica and epoch. */
    private static CliRun train(String name, String faults, int epochs, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--config", conf, "--set", "job.data=" + shards,
                "--set", "job.output=" + tmp.resolve(name).toUri(), "--set", "training.batch-size=16",
                "--set", "job.tau=2", "--set", "job.replicas=2", "--set", "training.epochs=" + epochs,
                "--set", "job.recovery.slot-wait=5s"));
        for (String e : extra) {
            args.addAll(List.of("--set", e));
        }
        System.setProperty(FAULTS, faults);
        // The progress lines go to System.err: keep a copy of them beside picocli's err.
        java.io.PrintStream original = System.err;
        java.io.ByteArrayOutputStream copy = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                copy.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                copy.write(b, off, len);
            }
        }, true));
        try {
            CliRun run = CliRun.of(args);
            return new CliRun(run.exit(), run.out(), run.err() + copy.toString(java.nio.charset.StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
            System.clearProperty(FAULTS);
        }
    }

    private static List<JsonNode> metrics(String name) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(tmp.resolve(name).resolve("metrics.jsonl"))) {
            out.add(JSON.readTree(line));
        }
        return out;
    }

    @Test
    void aFailedReplicaTaskIsTriedAgainFromTheLastRoundTheServerClosed() throws Exception {
        // Replica 1 fails after training round 4's mini-batches of epoch 2, before pushing them:
        // rounds 1-3 of that epoch are in the server's average, round 4 never closed.
        CliRun r = train("fail", "fail@worker=1,epoch=2,round=4,attempt=1", 2);
        assertThat(String.valueOf(r.exit())).as(r.out() + r.err()).isEqualTo("0");
        assertThat(r.out()).contains("trained 2 epochs (AERON_AVERAGING, 2 replicas)");
        List<JsonNode> epochs = metrics("fail");
        assertThat(epochs).hasSize(2);
        JsonNode second = epochs.get(1);
        JsonNode attempts = second.get("attempts");
        assertThat(attempts).as("%s", second).hasSize(2);
        assertThat(attempts.get(0).get("failed").asBoolean()).isTrue();
        assertThat(attempts.get(0).get("cause").asText()).contains("test fault").contains("round 4 of epoch 2");
        assertThat(attempts.get(0).get("next").asText()).startsWith("resume at round").contains("(3 of 10 rounds kept)");
        assertThat(attempts.get(1).get("failed").asBoolean()).isFalse();
        // Every image of the epoch is in the model once: the same count as the unfaulted first epoch.
        assertThat(second.get("images").asLong()).isEqualTo(epochs.get(0).get("images").asLong()).isEqualTo(640);
        assertThat(epochs.get(0).get("attempts")).hasSize(1);
        assertThat(second.get("trainLoss").asDouble()).isFinite();
        assertThat(r.err()).contains("(2 attempts: 1 failed");
    }

    @Test
    void aReplicaWhoseParametersTurnNanIsResetFromTheAverageAndCounted() throws Exception {
        CliRun r = train("nan-one", "nan@worker=0,epoch=1,round=3", 1);
        assertThat(String.valueOf(r.exit())).as(r.out() + r.err()).isEqualTo("0");
        JsonNode epoch = metrics("nan-one").get(0);
        assertThat(epoch.get("replicaResets").asInt()).isEqualTo(1);
        assertThat(epoch.get("trainLoss").asDouble()).isFinite();
        assertThat(epoch.get("top1Error").asDouble()).isLessThan(0.9);
        assertThat(epoch.get("attempts")).hasSize(1);
    }

    @Test
    void whenEveryReplicaDivergesTheJobStopsAtThatRoundAndSaysWhy() {
        long t0 = System.nanoTime();
        CliRun r = train("nan-all", "nan@worker=*,epoch=1,round=3", 1);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertThat(r.exit()).as(r.out() + r.err()).isNotZero();
        assertThat(r.err()).contains("diverged at epoch 1, round").contains("lower the learning rate");
        // Not retried and not a time-out: no second attempt was made.
        assertThat(r.err()).doesNotContain("attempt 2");
        System.err.printf("all replicas diverged: the job stopped after %.1f s%n", seconds);
    }

    @Test
    void aSlowReplicaBelowTheQuorumAdoptsTheNewerAverageInsteadOfFailing() throws Exception {
        // Quorum 1 of 2 and a 300 ms round time-out: replica 1, 400 ms slower per mini-batch, misses rounds.
        CliRun r = train("slow", "slow@worker=1,ms=400", 1, "paramserver.quorum=1", "paramserver.round-timeout=300ms");
        assertThat(String.valueOf(r.exit())).as(r.out() + r.err()).isEqualTo("0");
        JsonNode epoch = metrics("slow").get(0);
        assertThat(epoch.get("missedRounds").asInt()).as("%s", epoch).isPositive();
        assertThat(epoch.get("attempts")).hasSize(1);
        assertThat(epoch.get("trainLoss").asDouble()).isFinite();
    }
}
