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
            args.addAll(e.startsWith("--") ? List.of(e) : List.of("--set", e));
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
    @Test
    void aRestartedExternalServerIsReseededFromTheDriversCopyAndTheJobGoesOn() throws Exception {
        Path secret = tmp.resolve("external.secret");
        Files.write(secret, "an-external-server-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")); // as SecretFiles requires
        long floats = new io.alexnetspark.model.config.ConfigLoader().loadSettings(java.util.Optional.of(Path.of(conf)), List.of())
                .networkFactory().newNetwork().numParams();
        int port = TrainCommandTest.freeUdpPortPair();
        Path metrics = tmp.resolve("external").resolve("metrics.jsonl");
        try (DedicatedServer first = new DedicatedServer(floats, 2, 1, port, 91, secret, tmp.resolve("external-1.log"))) {
            java.util.concurrent.CompletableFuture<CliRun> job = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                    train("external", "", 2, "paramserver.placement=external", "paramserver.host=127.0.0.1",
                            "paramserver.port=" + port, "paramserver.job-id=91", "paramserver.secret-file=" + secret,
                            "paramserver.round-timeout=3s"));
            // In the middle of epoch 2 the server crashes (SIGKILL) and an operator starts it again, same
            // port and secret: a new incarnation that holds no round. Epoch 1 is the seed (round 1) and
            // rounds 2-12 (10 rounds and the momentum's); epoch 2 is seeded as round 13.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(5);
            while (!(Files.exists(metrics) && Files.readAllLines(metrics).size() == 1 && first.log().contains("round=16,"))) {
                assertThat(job).as("the job runs until epoch 2 has closed round 16").isNotDone();
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
            first.kill();
            try (DedicatedServer second = new DedicatedServer(floats, 2, 1, port, 91, secret, tmp.resolve("external-2.log"))) {
                CliRun r = job.get(5, java.util.concurrent.TimeUnit.MINUTES);
                assertThat(String.valueOf(r.exit())).as(r.out() + r.err() + second.log()).isEqualTo("0");
                List<JsonNode> epochs = metrics("external");
                assertThat(epochs).hasSize(2);
                JsonNode attempts = epochs.get(1).get("attempts");
                assertThat(attempts.size()).as("%s", epochs.get(1)).isGreaterThanOrEqualTo(2);
                assertThat(attempts.get(attempts.size() - 2).get("next").asText())
                        .contains("the external server had restarted (new incarnation)");
                assertThat(epochs.get(1).get("images").asLong()).isEqualTo(epochs.get(0).get("images").asLong());
                // The new server took the driver's seed and the rest of the epoch's rounds.
                assertThat(second.log()).contains("seeded with round").contains("ShardRoundStats[shard=0");
            }
        }
    }
    @Test
    void aRunThatDiesMidEpochResumesFromItsRoundLevelCheckpoint() throws Exception {
        // Replica 1 fails after round 7 of epoch 2 in every attempt, and an epoch gets 2: the run fails,
        // after a round-level checkpoint of epoch 2 was written (every 3 rounds).
        CliRun failed = train("rounds", "fail@worker=1,epoch=2,round=7", 2, "job.checkpoint-every-rounds=3",
                "job.recovery.attempts-per-epoch=2");
        assertThat(failed.exit()).as(failed.out() + failed.err()).isEqualTo(1);
        assertThat(failed.err()).contains("error: epoch 2 failed after 2 attempts");
        Path checkpoints = tmp.resolve("rounds").resolve("checkpoints");
        List<String> written;
        try (var list = Files.list(checkpoints)) {
            written = list.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertThat(written).contains("ckpt-000001").anyMatch(n -> n.startsWith("ckpt-000001-r"));
        String roundLevel = written.stream().filter(n -> n.startsWith("ckpt-000001-r")).findFirst().orElseThrow();
        int rounds = Integer.parseInt(roundLevel.substring("ckpt-000001-r".length()));
        assertThat(rounds).isBetween(3, 6);

        // --resume continues within epoch 2 from that checkpoint: its rounds are not trained again.
        CliRun resumed = train("rounds", "", 2, "job.checkpoint-every-rounds=3", "--resume");
        assertThat(String.valueOf(resumed.exit())).as(resumed.out() + resumed.err()).isEqualTo("0");
        assertThat(resumed.out()).contains("resuming from").contains(roundLevel)
                .contains("and " + rounds + " rounds of epoch 2");
        List<JsonNode> epochs = metrics("rounds");
        assertThat(epochs).hasSize(2);
        assertThat(epochs.get(1).get("images").asLong()).isEqualTo(epochs.get(0).get("images").asLong()).isEqualTo(640);
        try (var list = Files.list(checkpoints)) {
            assertThat(list.map(p -> p.getFileName().toString()).toList()).as("superseded by epoch 2's")
                    .contains("ckpt-000002").noneMatch(n -> n.contains("-r"));
        }
    }
}
