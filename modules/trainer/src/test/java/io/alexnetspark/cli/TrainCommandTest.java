package io.alexnetspark.cli;

import io.alexnetspark.data.demo.FashionMnist;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void trainsWritesModelMetricsReportAndResumes(@TempDir Path tmp) throws Exception {
        Path project = Path.of(System.getProperty("alexnet.project.dir", "../.."));
        Path idx = FashionMnist.fetch(Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"),
                System.err);
        FashionMnist.writeImageTree(idx, tmp.resolve("tree"), 64, 10);
        String conf = project.resolve("conf/demo.conf").toString();
        String shards = tmp.resolve("shards").toUri().toString();
        CliRun ingest = CliRun.of(List.of("ingest", "--config", conf, "--input", tmp.resolve("tree").toString(),
                "--output", shards, "--set", "data.ingest.images-per-shard=80"));
        assertThat(String.valueOf(ingest.exit())).as(ingest.err()).isEqualTo("0");

        List<String> train = new ArrayList<>(List.of("train", "--config", conf, "--set", "job.data=" + shards,
                "--set", "job.output=" + tmp.resolve("run").toUri(), "--set", "training.batch-size=16",
                "--set", "job.tau=2", "--set", "job.replicas=2"));
        List<String> first = new ArrayList<>(train);
        first.addAll(List.of("--set", "training.epochs=1"));
        CliRun r1 = CliRun.of(first);
        assertThat(String.valueOf(r1.exit())).as(r1.out() + r1.err()).isEqualTo("0");
        assertThat(r1.out()).contains("trained 1 epochs (AERON_AVERAGING, 2 replicas)");

        List<String> second = new ArrayList<>(train);
        second.addAll(List.of("--set", "training.epochs=2", "--resume"));
        CliRun r2 = CliRun.of(second);
        assertThat(String.valueOf(r2.exit())).as(r2.out() + r2.err()).isEqualTo("0");
        assertThat(r2.out()).contains("resuming from").contains("after epoch 1").contains("trained 2 epochs");

        Path runDir = tmp.resolve("run");
        assertThat(Files.readAllLines(runDir.resolve("metrics.jsonl"))).hasSize(2);
        // A fresh train into the folder of that run is refused before it starts, and loses nothing;
        // so is a resume under another configuration, saying what differs.
        CliRun fresh = CliRun.of(first);
        assertThat(fresh.exit()).as(fresh.out() + fresh.err()).isEqualTo(2);
        assertThat(fresh.err()).contains("holds another run").contains("--resume").contains("--overwrite");
        List<String> otherTau = new ArrayList<>(second);
        otherTau.addAll(List.of("--set", "job.tau=4"));
        CliRun changed = CliRun.of(otherTau);
        assertThat(changed.exit()).as(changed.out() + changed.err()).isEqualTo(2);
        assertThat(changed.err()).contains("job.tau was 2, is 4");
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
        CliRun ev = CliRun.of(List.of("evaluate", "--config", conf, "--model", runDir.resolve("model/model.zip").toUri().toString(),
                "--data", shards));
        assertThat(String.valueOf(ev.exit())).as(ev.out() + ev.err()).isEqualTo("0");
        assertThat(ev.out()).contains("100 images").contains("top-1 error").contains("per-class accuracy:")
                .contains("trouser").contains("most confused (true -> predicted):");

        // Ten crops per image, softmax averaged: still 100 images, not 1,000 rows.
        CliRun ten = CliRun.of(List.of("evaluate", "--config", conf, "--model", runDir.resolve("model").toUri().toString(),
                "--data", shards, "--set", "data.pipeline.eval=ten-crop"));
        assertThat(String.valueOf(ten.exit())).as(ten.out() + ten.err()).isEqualTo("0");
        assertThat(ten.out()).contains("100 images");

        predictsTopClassesWithNames(conf, runDir, tmp);
        shardsInTheExecutorsTrainTheSameJob(train, tmp);
        aDedicatedServerTrainsTheSameJob(train, tmp);
        dl4jSyncModesTrainTheSameJob(conf, shards, tmp);
        retrainPromotesThenKeeps(conf, shards, runDir, tmp);
    }

    /**
     * {@code paramserver.placement = executors}: every replica serves one shard itself over UDP (two
     * "hosts" here share loopback, each shard on its own port pair), the driver has no server.
     */
    private static void shardsInTheExecutorsTrainTheSameJob(List<String> train, Path tmp) throws Exception {
        List<String> args = new ArrayList<>(train);
        Path out = tmp.resolve("run-executors");
        args.replaceAll(a -> a.startsWith("job.output=") ? "job.output=" + out.toUri() : a);
        args.addAll(List.of("--set", "training.epochs=2", "--set", "paramserver.placement=executors",
                "--set", "paramserver.port=" + freeUdpPortPair()));
        CliRun r = CliRun.of(args);
        assertThat(String.valueOf(r.exit())).as(r.out() + r.err()).isEqualTo("0");
        assertThat(r.out()).contains("trained 2 epochs (AERON_AVERAGING, 2 replicas)");
        var lines = Files.readAllLines(out.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2);
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String line : lines) {
            var epoch = mapper.readTree(line);
            assertThat(epoch.get("trainLoss").asDouble()).isFinite().isPositive();
            assertThat(epoch.get("top1Error").asDouble()).isBetween(0.0, 1.0);
        }
        // Where the shards run changes where the bytes go, not one bit of the result: the same two
        // epochs as the driver-hosted run above (which resumed into its second epoch).
        assertSameParametersAsDriverHosted(out, tmp);
    }

    /**
     * {@code paramserver.placement = external}: a dedicated server, started first as its own process
     * with {@code alexnet-spark paramserver} (2 shards, the job's id and secret file), serves the
     * job; before each epoch the driver seeds it with its parameters, and the replicas train through it.
     */
    private static void aDedicatedServerTrainsTheSameJob(List<String> train, Path tmp) throws Exception {
        Path secret = tmp.resolve("ps.secret");
        Files.write(secret, "a-dedicated-server-secret-0123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")); // as SecretFiles requires
        long floats = ModelSerializer.restoreComputationGraph(tmp.resolve("run/model/model.zip").toFile(), false).numParams();
        int port = freeUdpPortPair();
        Path serverLog = tmp.resolve("dedicated-server.log");
        DedicatedServer server = new DedicatedServer(floats, 2, 2, port, 77, secret, serverLog);
        try {
            List<String> args = new ArrayList<>(train);
            Path out = tmp.resolve("run-dedicated");
            args.replaceAll(a -> a.startsWith("job.output=") ? "job.output=" + out.toUri() : a);
            args.addAll(List.of("--set", "training.epochs=2", "--set", "paramserver.placement=external",
                    "--set", "paramserver.host=127.0.0.1", "--set", "paramserver.port=" + port, "--set", "paramserver.shards=2",
                    "--set", "paramserver.job-id=77", "--set", "paramserver.secret-file=" + secret));
            CliRun r = CliRun.of(args);
            assertThat(String.valueOf(r.exit())).as(r.out() + r.err() + Files.readString(serverLog)).isEqualTo("0");
            assertThat(r.out()).contains("trained 2 epochs (AERON_AVERAGING, 2 replicas)");
            // The server saw every round: the driver's seed and the training rounds of each epoch, on both shards.
            assertThat(Files.readString(serverLog)).contains("ShardRoundStats[shard=0").contains("ShardRoundStats[shard=1");
            // It claimed the server for its run, and gave it up at its end.
            // (The job waits for the server to confirm the release; the log file may trail by a moment.)
            long releaseDeadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
            while (!Files.readString(serverLog).contains("released the server") && System.nanoTime() < releaseDeadline) {
                Thread.sleep(50);
            }
            assertThat(Files.readString(serverLog)).contains("ServerLobby - serving run ").contains("released the server");
            assertSameParametersAsDriverHosted(out, tmp);

            // A job that does not hold the server's secret is not answered, and says so.
            Path wrong = tmp.resolve("wrong.secret");
            Files.write(wrong, "not-the-dedicated-server-secret-000".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            Files.setPosixFilePermissions(wrong, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")); // as SecretFiles requires
            List<String> bad = new ArrayList<>(args);
            bad.replaceAll(a -> a.startsWith("paramserver.secret-file=") ? "paramserver.secret-file=" + wrong
                    : a.startsWith("job.output=") ? "job.output=" + tmp.resolve("run-wrong-secret").toUri() : a);
            bad.addAll(List.of("--set", "paramserver.round-timeout=3s"));
            CliRun refused = CliRun.of(bad);
            assertThat(refused.exit()).isNotZero();
            assertThat(refused.out() + refused.err()).contains("did not answer").contains("same secret");
            // ... and the server logs what it rejected (within its 5 s watch interval).
            long logDeadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
            while (!Files.readString(serverLog).contains("BAD_HMAC") && System.nanoTime() < logDeadline) {
                Thread.sleep(200);
            }
            // A job without the secret gets no further than the server's lobby (its claim fails the MAC).
            assertThat(Files.readString(serverLog)).contains("rejected messages so far: ").contains("at the lobby {BAD_HMAC=");

            // While another job's run holds the server, a job is refused at once, with what holds it.
            io.alexnetspark.paramserver.JobSpec base = new io.alexnetspark.paramserver.JobSpec(77, Files.readAllBytes(secret), floats,
                    2, 2, io.alexnetspark.paramserver.JobSpec.DEFAULT_CHUNK_BYTES, io.alexnetspark.paramserver.Channel.udp("127.0.0.1", port));
            try (io.alexnetspark.paramserver.ServerClaim other = new io.alexnetspark.paramserver.ServerClaim(base, "127.0.0.1",
                    java.time.Duration.ofSeconds(10), io.alexnetspark.paramserver.AeronSetup.embeddedFresh())) {
                other.claim(0x0be5e1ecL);
                long t0 = System.nanoTime();
                List<String> another = new ArrayList<>(args);
                another.replaceAll(a -> a.startsWith("job.output=") ? "job.output=" + tmp.resolve("run-busy").toUri() : a);
                CliRun busy = CliRun.of(another);
                assertThat(busy.exit()).isNotZero();
                assertThat(busy.out() + busy.err()).contains("serves another job: run be5e1ec").contains("lease");
                assertThat(System.nanoTime() - t0).as("refused at once, not retried").isLessThan(java.util.concurrent.TimeUnit.SECONDS.toNanos(60));
                other.release(0x0be5e1ecL);
            }
        } finally {
            server.close();
        }
        assertThat(Path.of(server.aeronDir)).as("the dedicated server's Aeron dir is gone after SIGTERM").doesNotExist();
    }

    /** The model in {@code out} holds bit for bit the parameters of the driver-hosted run in {@code tmp/run}. */
    private static void assertSameParametersAsDriverHosted(Path out, Path tmp) throws Exception {
        float[] here = ModelSerializer.restoreComputationGraph(out.resolve("model/model.zip").toFile(), false)
                .params().toFloatVector();
        float[] driverHosted = ModelSerializer.restoreComputationGraph(
                tmp.resolve("run/model/model.zip").toFile(), false).params().toFloatVector();
        assertThat(java.util.Arrays.equals(here, driverHosted)).as("same parameters as with the server in the driver").isTrue();
    }

    /** A base port p with p .. p + 3 free on loopback (two shards' port pairs). */
    static int freeUdpPortPair() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int base = java.util.concurrent.ThreadLocalRandom.current().nextInt(30000, 60000);
            boolean free = true;
            for (int p = base; p < base + 4 && free; p++) {
                try (var socket = new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", p))) {
                    free = socket.isBound();
                } catch (java.io.IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free UDP ports");
    }

    /** The other two sync modes, one key apart: the same network, data and driver loop, through DL4J's masters. */
    private static void dl4jSyncModesTrainTheSameJob(String conf, String shards, Path tmp) throws Exception {
        for (String mode : List.of("spark-averaging", "dl4j-gradient-sharing")) {
            Path out = tmp.resolve("run-" + mode);
            CliRun r = CliRun.of(List.of("train", "--config", conf, "--set", "job.data=" + shards,
                    "--set", "job.output=" + out.toUri(), "--set", "training.batch-size=16", "--set", "job.tau=2",
                    "--set", "training.epochs=1", "--set", "job.sync-mode=" + mode));
            assertThat(String.valueOf(r.exit())).as(mode + ": " + r.out() + r.err()).isEqualTo("0");
            assertThat(r.out()).contains("trained 1 epochs (" + mode.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
            var epoch = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(Files.readAllLines(out.resolve("metrics.jsonl")).get(0));
            if (mode.equals("spark-averaging")) {
                assertThat(epoch.get("trainLoss").asDouble()).as(mode).isFinite().isPositive();
            } else {
                // DL4J's SharedTrainingMaster does not report a training loss: "not measured", not 0.
                assertThat(epoch.get("trainLoss").asText()).as(mode).isEqualTo("NaN");
            }
            assertThat(epoch.get("top1Error").asDouble()).as(mode).isBetween(0.0, 1.0);
            assertThat(out.resolve("model/model.zip")).exists();
            // The partitions' input pipelines stopped their threads when their batches ran out.
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (pipelineThreads() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(pipelineThreads()).as(mode + ": decoder and reader threads left after the epoch").isZero();
        }
    }

    private static long pipelineThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("shard-decoder-") || t.getName().startsWith("shard-reader-")).count();
    }

    private static void predictsTopClassesWithNames(String conf, Path runDir, Path tmp) throws Exception {
        List<Path> photos;
        try (var files = Files.walk(tmp.resolve("tree"))) {
            photos = files.filter(Files::isRegularFile).sorted().limit(2).toList();
        }
        Path broken = Files.writeString(tmp.resolve("not-an-image.jpg"), "plain text");
        List<String> args = new ArrayList<>(List.of("predict", "--config", conf, "--model", runDir.resolve("model").toString(),
                "--top", "3", "--json"));
        photos.forEach(p -> args.add(p.toString()));
        args.add(broken.toString());
        CliRun r = CliRun.of(args);
        assertThat(String.valueOf(r.exit())).as("one image was unreadable: " + r.err()).isEqualTo("1");
        assertThat(r.err()).contains("not-an-image.jpg: skipped");
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(2);
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> names = FashionMnist.CLASSES;
        for (String line : lines) {
            var top = mapper.readTree(line).get("top");
            assertThat(top).hasSize(3);
            double p0 = top.get(0).get("probability").asDouble();
            assertThat(p0).isBetween(0.0, 1.0).isGreaterThanOrEqualTo(top.get(1).get("probability").asDouble());
            assertThat(names).contains(top.get(0).get("name").asText());
        }
    }

    private static void retrainPromotesThenKeeps(String conf, String shards, Path runDir, Path tmp) throws Exception {
        String registry = tmp.resolve("registry").toUri().toString();
        List<String> retrain = List.of("retrain", "--config", conf, "--set", "job.data=" + shards,
                "--set", "retrain.registry=" + registry, "--set", "training.batch-size=16", "--set", "job.tau=2",
                "--set", "training.epochs=1", "--set", "job.evaluation=spark",
                "--set", "paramserver.mac=hmac-sha256");

        List<String> first = new ArrayList<>(retrain);
        first.addAll(List.of("--set", "job.output=" + tmp.resolve("retrain1").toUri()));
        CliRun r1 = CliRun.of(first);
        assertThat(String.valueOf(r1.exit())).as(r1.out() + r1.err()).isEqualTo("0");
        assertThat(r1.out()).contains("no production model").contains("promoted v000001");

        // A new model must beat production by more than the margin: 0.9 of top-1 error cannot be won.
        List<String> second = new ArrayList<>(retrain);
        second.addAll(List.of("--set", "job.output=" + tmp.resolve("retrain2").toUri(), "--set", "retrain.margin=0.9"));
        CliRun r2 = CliRun.of(second);
        assertThat(String.valueOf(r2.exit())).as(r2.out() + r2.err()).isEqualTo(String.valueOf(RetrainCommand.EXIT_KEPT));
        assertThat(r2.out()).contains("warm start from production v000001").contains("registered v000002")
                .contains("kept v000001").contains("not better by more than the margin 0.9000");
        var decision = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("retrain2/decision.json").toFile());
        assertThat(decision.get("promoted").asBoolean()).isFalse();
        assertThat(decision.get("candidate").asText()).isEqualTo("v000002");
        assertThat(decision.get("productionTop1Error").asDouble()).isBetween(0.0, 1.0);
        var pointer = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("registry/PRODUCTION").toFile());
        assertThat(pointer.get("version").asText()).isEqualTo("v000001");
        var card2 = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(tmp.resolve("registry/versions/v000002/card.json").toFile());
        assertThat(card2.get("parent").asText()).isEqualTo("v000001");
        assertThat(card2.get("classNames")).hasSize(10);

        // Two more epochs on top of production's one: better on the same validation set, so promoted.
        List<String> third = new ArrayList<>(retrain);
        third.addAll(List.of("--set", "job.output=" + tmp.resolve("retrain3").toUri(), "--set", "retrain.margin=0.0",
                "--set", "training.epochs=2"));
        CliRun r3 = CliRun.of(third);
        assertThat(String.valueOf(r3.exit())).as(r3.out() + r3.err()).isEqualTo("0");
        assertThat(r3.out()).contains("warm start from production v000001").contains("promoted v000003")
                .contains("vs v000001's");
        var better = new com.fasterxml.jackson.databind.ObjectMapper().readTree(tmp.resolve("retrain3/decision.json").toFile());
        assertThat(better.get("candidateTop1Error").asDouble()).isLessThan(better.get("productionTop1Error").asDouble());

        // The registry's production model answers predict too.
        List<Path> photo;
        try (var files = Files.walk(tmp.resolve("tree"))) {
            photo = files.filter(Files::isRegularFile).sorted().limit(1).toList();
        }
        CliRun p = CliRun.of(List.of("predict", "--config", conf, "--registry", registry, photo.get(0).toString()));
        assertThat(String.valueOf(p.exit())).as(p.err()).isEqualTo("0");
        assertThat(p.out()).contains("%");
    }

    @Test
    void aMissingDataKeyIsAClearError() {
        CliRun r = CliRun.of(List.of("train"));
        assertThat(String.valueOf(r.exit())).isEqualTo(String.valueOf(AlexNetCli.EXIT_USAGE));
        assertThat(r.err()).contains("job.data").contains("required");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "paramserver.placement=somewhere, expected driver, executors or external",
        "paramserver.transport=ipc, needs UDP"})
    void shardsInTheExecutorsNeedUdp(String setting, String why) {
        CliRun r = CliRun.of(List.of("train", "--set", "job.data=/nowhere", "--set", "job.output=/nowhere",
                "--set", "paramserver.placement=executors", "--set", setting));
        assertThat(String.valueOf(r.exit())).isEqualTo(String.valueOf(AlexNetCli.EXIT_USAGE));
        assertThat(r.err()).contains("paramserver.placement").contains(why.contains("UDP") ? "set paramserver.transport to auto or udp" : why);
    }
}
