package io.alexnetspark.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alexnetspark.LoopbackHdfs;
import io.alexnetspark.cli.CliRun;
import io.alexnetspark.data.demo.FashionMnist;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The main job as it runs on a cluster: real Fashion-MNIST photos ingested into a real HDFS
 * (MiniDFSCluster), then {@code deploy/bin/submit ... -- train} against a standalone Master and
 * Worker in their own JVMs; the Worker starts one executor JVM per replica, Spark's resource
 * scheduling gives each a (fake) GPU address, and the replicas average through the real Aeron
 * parameter server over UDP on loopback, embedded in the driver's JVM. Then, on the same cluster,
 * one epoch with a shard of the server in each executor JVM instead ({@code placement = executors}).
 */
class StandaloneClusterIT {

    private static final int EPOCHS = 3;

    @Test
    void trainsWithSeparateExecutorJvmsFromHdfs(@TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path project = java.nio.file.Path.of(System.getProperty("alexnet.project.dir", "../..")).toAbsolutePath();
        MiniDFSCluster dfs = LoopbackHdfs.start(tmp.resolve("hdfs"));
        try (StandaloneCluster cluster = new StandaloneCluster(project, tmp.resolve("spark"),
                project.resolve("modules/trainer/target/e2e-logs"), 2, "6g")) {
            FileSystem hdfs = dfs.getFileSystem();
            String root = hdfs.getUri().toString();

            java.nio.file.Path idx = FashionMnist.fetch(java.nio.file.Path.of(System.getProperty("user.home"), ".cache",
                    "alexnet-spark", "fashion-mnist"), System.err);
            FashionMnist.writeImageTree(idx, tmp.resolve("tree"), 200, 20);
            String demoConf = project.resolve("conf/demo.conf").toString();
            CliRun ingest = CliRun.of(List.of("ingest", "--config", demoConf, "--input", tmp.resolve("tree").toString(),
                    "--output", root + "/datasets/fmnist", "--set", "data.ingest.images-per-shard=250"));
            assertThat(String.valueOf(ingest.exit())).as(ingest.out() + ingest.err()).isEqualTo("0");

            String output = root + "/runs/e2e";
            Submitted run = submitTrain(cluster, project, "driver", List.of("--config", demoConf,
                    "--set", "job.data=" + root + "/datasets/fmnist", "--set", "job.output=" + output,
                    "--set", "training.epochs=" + EPOCHS, "--set", "training.batch-size=32", "--set", "job.tau=4",
                    "--set", "job.evaluation=spark", "--set", "paramserver.host=127.0.0.1",
                    "--set", "paramserver.port=" + StandaloneCluster.freePort()));
            String log = run.log();
            String context = run.context();
            assertThat(run.out()).as(context).contains("trained " + EPOCHS + " epochs (AERON_AVERAGING, 2 replicas)");
            // Two executor JVMs, each given its own GPU address by Spark's scheduler.
            assertThat(cluster.executorLogs()).as("executor stderr files").hasSize(2);
            for (int e = 1; e <= EPOCHS; e++) {
                assertThat(log).as(context).contains("epoch " + e + ": replicas in step: all 2 hold the server's average");
            }
            assertThat(log).doesNotContain("OUT OF STEP");
            assertThat(log).contains("(GPU 0)").contains("(GPU 1)");

            // Everything the run leaves is in HDFS, and the network learned.
            assertThat(hdfs.exists(new Path(output, "model/model.zip"))).isTrue();
            assertThat(hdfs.exists(new Path(output, "report/report.html"))).isTrue();
            assertThat(hdfs.exists(new Path(output, "checkpoints/ckpt-00000" + EPOCHS))).isTrue();
            List<JsonNode> epochs = readLines(hdfs, new Path(output, "metrics.jsonl"));
            assertThat(epochs).hasSize(EPOCHS);
            double lastError = epochs.get(EPOCHS - 1).get("top1Error").asDouble();
            assertThat(lastError).as("validation top-1 error after %d epochs (chance: 0.9)", EPOCHS).isLessThan(0.6);
            System.err.printf("e2e: top-1 error by epoch %s%n", epochs.stream().map(n -> n.get("top1Error").asText()).toList());

            // One shard in each executor JVM (paramserver.placement = executors): the replicas average
            // through each other's shards over UDP, and the driver runs no server. One epoch, same cluster.
            List<java.nio.file.Path> before = cluster.executorLogs();
            String shardedOutput = root + "/runs/e2e-executors";
            Submitted sharded = submitTrain(cluster, project, "executors", List.of("--config", demoConf,
                    "--set", "job.data=" + root + "/datasets/fmnist", "--set", "job.output=" + shardedOutput,
                    "--set", "training.epochs=1", "--set", "training.batch-size=32", "--set", "job.tau=4",
                    "--set", "job.evaluation=spark", "--set", "paramserver.placement=executors",
                    "--set", "paramserver.port=" + StandaloneCluster.freePort()));
            assertThat(sharded.out()).as(sharded.context()).contains("trained 1 epochs (AERON_AVERAGING, 2 replicas)");
            assertThat(sharded.log()).as(sharded.context()).contains("epoch 1: replicas in step: all 2 hold the shards' average")
                    .doesNotContain("parameter server started");
            List<java.nio.file.Path> mine = new ArrayList<>(cluster.executorLogs());
            mine.removeAll(before);
            assertThat(mine).as("this run's executor stderr files").hasSize(2);
            StringBuilder executors = new StringBuilder();
            for (java.nio.file.Path f : mine) {
                executors.append(Files.readString(f, StandardCharsets.UTF_8));
            }
            assertThat(executors.toString()).as("each executor served one shard")
                    .contains("parameter server started: shards [0] of 2").contains("parameter server started: shards [1] of 2");
            assertThat(hdfs.exists(new Path(shardedOutput, "model/model.zip"))).isTrue();
        } finally {
            dfs.shutdown();
        }
    }

    /** What a {@code deploy/bin/submit ... -- train} run printed and logged; it has exited 0. */
    private record Submitted(String out, String log, String context) {
    }

    /** Runs {@code deploy/bin/submit -- train ARGS} against the cluster, waits, and checks it exited 0. */
    private static Submitted submitTrain(StandaloneCluster cluster, java.nio.file.Path project, String name, List<String> trainArgs)
            throws Exception {
        List<String> submit = new ArrayList<>(List.of(project.resolve("deploy/bin/submit").toString(),
                "--master", cluster.masterUrl(), "--deploy-mode", "client",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=2",
                "--conf", "spark.executor.memory=1500m", "--conf", "spark.executor.memoryOverhead=1g",
                "--conf", "spark.executor.resource.gpu.amount=1", "--conf", "spark.task.resource.gpu.amount=1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false",
                "--", "train"));
        submit.addAll(trainArgs);
        // Logs stay in target/ after the run, to read when this test fails.
        java.nio.file.Path logs = Files.createDirectories(project.resolve("modules/trainer/target/e2e-logs"));
        java.nio.file.Path driverLog = logs.resolve("driver-" + name + ".log");
        java.nio.file.Path driverOut = logs.resolve("driver-" + name + ".out");
        ProcessBuilder pb = new ProcessBuilder(submit).redirectError(driverLog.toFile()).redirectOutput(driverOut.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().remove("SPARK_HOME");
        Process driver = pb.start();
        try {
            boolean finished = driver.waitFor(15, TimeUnit.MINUTES);
            String out = Files.readString(driverOut, StandardCharsets.UTF_8);
            String log = Files.readString(driverLog, StandardCharsets.UTF_8);
            String context = out + "\n--- driver log (tail) ---\n" + tail(log) + "\n--- worker ---\n" + cluster.tail("worker");
            assertThat(finished).as("the job finished within 15 minutes\n" + context).isTrue();
            assertThat(driver.exitValue()).as(context).isZero();
            return new Submitted(out, log, context);
        } finally {
            driver.descendants().forEach(ProcessHandle::destroyForcibly);
            driver.destroyForcibly().waitFor();
        }
    }

    private static List<JsonNode> readLines(FileSystem fs, Path file) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (FSDataInputStream in = fs.open(file)) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    out.add(new ObjectMapper().readTree(line));
                }
            }
        }
        return out;
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 60), lines.length));
    }
}
