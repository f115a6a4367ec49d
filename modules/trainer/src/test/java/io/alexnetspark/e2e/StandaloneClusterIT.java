package io.alexnetspark.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alexnetspark.LoopbackHdfs;
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
 *
 * <p>Faults, as a cluster has them, each injected once into those runs or the ones after, into
 * processes this test started (found through the Workers' process trees): an executor JVM killed with
 * SIGKILL mid-epoch in both runs above; a second Worker (the third replica's node) killed for good with
 * its executor and started again later (3 replicas, at least 2); the driver killed with SIGKILL
 * mid-epoch and the run resumed from its round-level checkpoint; and the first job once more,
 * unfaulted, to compare with.
 *
 * <p>Spark's traffic is authenticated and encrypted in every run (conf/spark-defaults.conf, and one
 * secret for the Master, the Workers and the application); one submission with both turned off is
 * refused by the driver before it starts.
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

            String demoConf = project.resolve("conf/demo.conf").toString();
            E2eDataset.ingest(tmp, root, demoConf);

            String output = root + "/runs/e2e";
            theDriverRefusesTheClusterWithoutSparksAuthenticationAndEncryption(cluster, project, root, demoConf);

            // One executor JVM is killed (SIGKILL) in the middle of epoch 2, after its second round.
            Submitted run = submitTrain(cluster, project, "driver",
                    List.of(Fault.killExecutorAfter(cluster, ": epoch 2 round 2/")), List.of("--config", demoConf,
                    "--set", "job.data=" + root + "/datasets/fmnist", "--set", "job.output=" + output,
                    "--set", "training.epochs=" + EPOCHS, "--set", "training.batch-size=32", "--set", "job.tau=4",
                    "--set", "job.evaluation=spark", "--set", "paramserver.host=127.0.0.1",
                    "--set", "paramserver.port=" + StandaloneCluster.freePort()));
            String log = run.log();
            String context = run.context();
            assertThat(run.out()).as(context).contains("trained " + EPOCHS + " epochs (AERON_AVERAGING, 2 replicas)");
            // Two executor JVMs, each given its own GPU address by Spark's scheduler, and the one the
            // Master started in place of the killed one.
            assertThat(cluster.executorLogs()).as("executor stderr files").hasSize(3);
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
            // The kill failed epoch 2's first attempt; the second resumed from the server's last closed
            // round, so the epoch still trained every image once (as many as the unfaulted epochs).
            JsonNode attempts = epochs.get(1).get("attempts");
            assertThat(attempts).as("%s", epochs.get(1)).hasSize(2);
            assertThat(attempts.get(0).get("failed").asBoolean()).isTrue();
            assertThat(attempts.get(0).get("next").asText()).startsWith("resume at round");
            assertThat(epochs.get(0).get("attempts")).hasSize(1);
            assertThat(epochs.get(2).get("attempts")).hasSize(1);
            for (JsonNode e : epochs) {
                assertThat(e.get("images").asLong()).as("images of epoch %s", e.get("epoch")).isEqualTo(epochs.get(0).get("images").asLong());
                assertThat(e.get("replicas").asInt()).isEqualTo(2);
            }
            System.err.printf("e2e RELIABILITY driver placement: executor SIGKILL in epoch 2: %s; the failed attempt and "
                    + "the wait for a new executor cost %.1f s; epoch 2 took %.1f s, epoch 1 %.1f s%n", attempts.get(0).get("cause").asText(),
                    attempts.get(0).get("seconds").asDouble(), epochs.get(1).get("epochSeconds").asDouble(),
                    epochs.get(0).get("epochSeconds").asDouble());
            double lastError = epochs.get(EPOCHS - 1).get("top1Error").asDouble();
            assertThat(lastError).as("validation top-1 error after %d epochs (chance: 0.9)", EPOCHS).isLessThan(0.6);
            System.err.printf("e2e: top-1 error by epoch %s%n", epochs.stream().map(n -> n.get("top1Error").asText()).toList());

            // One shard in each executor JVM (paramserver.placement = executors): the replicas average
            // through each other's shards over UDP, and the driver runs no server. One epoch, same cluster.
            List<java.nio.file.Path> before = cluster.executorLogs();
            String shardedOutput = root + "/runs/e2e-executors";
            Submitted sharded = submitTrain(cluster, project, "executors",
                    List.of(Fault.killExecutorAfter(cluster, ": epoch 1 round 2/")), List.of("--config", demoConf,
                    "--set", "job.data=" + root + "/datasets/fmnist", "--set", "job.output=" + shardedOutput,
                    "--set", "training.epochs=1", "--set", "training.batch-size=32", "--set", "job.tau=4",
                    "--set", "job.evaluation=spark", "--set", "paramserver.placement=executors",
                    "--set", "paramserver.port=" + StandaloneCluster.freePort()));
            assertThat(sharded.out()).as(sharded.context()).contains("trained 1 epochs (AERON_AVERAGING, 2 replicas)");
            assertThat(sharded.log()).as(sharded.context()).contains("epoch 1: replicas in step: all 2 hold the shards' average")
                    .doesNotContain("parameter server started");
            List<JsonNode> sharedEpochs = readLines(hdfs, new Path(shardedOutput, "metrics.jsonl"));
            JsonNode restarted = sharedEpochs.get(0).get("attempts");
            assertThat(restarted).as("%s", sharedEpochs.get(0)).hasSize(2);
            // The shards died with the stage: the epoch restarted from the driver's copy.
            assertThat(restarted.get(0).get("next").asText()).isEqualTo("restart the epoch from its start");
            assertThat(sharedEpochs.get(0).get("images").asLong()).isEqualTo(epochs.get(0).get("images").asLong());
            System.err.printf("e2e RELIABILITY executors placement: executor SIGKILL in epoch 1: the failed attempt and the "
                    + "wait cost %.1f s; the epoch took %.1f s%n", restarted.get(0).get("seconds").asDouble(),
                    sharedEpochs.get(0).get("epochSeconds").asDouble());
            List<java.nio.file.Path> mine = new ArrayList<>(cluster.executorLogs());
            mine.removeAll(before);
            assertThat(mine).as("this run's executor stderr files (two, and the killed one's replacement)").hasSize(3);
            StringBuilder executors = new StringBuilder();
            for (java.nio.file.Path f : mine) {
                executors.append(Files.readString(f, StandardCharsets.UTF_8));
            }
            assertThat(executors.toString()).as("each executor served one shard")
                    .contains("parameter server started: shards [0] of 2").contains("parameter server started: shards [1] of 2");
            assertThat(hdfs.exists(new Path(shardedOutput, "model/model.zip"))).isTrue();
            // Restarted from the driver's copy, the epoch is the unfaulted one bit for bit: the same
            // validation error as the driver-placement run's (unfaulted) first epoch.
            assertThat(sharedEpochs.get(0).get("top1Error").asDouble()).isEqualTo(epochs.get(0).get("top1Error").asDouble());

            aNodeLostForGoodShrinksTheJobAndItsReturnGrowsItBack(cluster, project, hdfs, root, demoConf);
            aKilledDriverResumesFromItsLastCheckpoint(cluster, project, hdfs, root, demoConf);

            // The first job once more, unfaulted, beside the run whose executor was killed in epoch 2.
            String cleanOutput = root + "/runs/e2e-unfaulted";
            submitTrain(cluster, project, "unfaulted", List.of(), List.of("--config", demoConf,
                    "--set", "job.data=" + root + "/datasets/fmnist", "--set", "job.output=" + cleanOutput,
                    "--set", "training.epochs=" + EPOCHS, "--set", "training.batch-size=32", "--set", "job.tau=4",
                    "--set", "job.evaluation=spark", "--set", "paramserver.host=127.0.0.1",
                    "--set", "paramserver.port=" + StandaloneCluster.freePort()));
            List<JsonNode> clean = readLines(hdfs, new Path(cleanOutput, "metrics.jsonl"));
            assertThat(clean).hasSize(EPOCHS);
            for (int e = 0; e < EPOCHS; e++) {
                assertThat(epochs.get(e).get("images").asLong()).isEqualTo(clean.get(e).get("images").asLong());
            }
            double faultedError = epochs.get(EPOCHS - 1).get("top1Error").asDouble();
            double cleanError = clean.get(EPOCHS - 1).get("top1Error").asDouble();
            System.err.printf("e2e RELIABILITY the first job unfaulted: top-1 error by epoch %s, epoch seconds %s; with an "
                            + "executor killed in epoch 2: %s, epoch seconds %s%n",
                    clean.stream().map(m -> m.get("top1Error").asText()).toList(),
                    clean.stream().map(m -> String.format(java.util.Locale.ROOT, "%.1f", m.get("epochSeconds").asDouble())).toList(),
                    epochs.stream().map(m -> m.get("top1Error").asText()).toList(),
                    epochs.stream().map(m -> String.format(java.util.Locale.ROOT, "%.1f", m.get("epochSeconds").asDouble())).toList());
            // A resumed epoch restarts its replicas' momentum from the epoch's start: close, not equal.
            assertThat(Math.abs(faultedError - cleanError)).as("final top-1 error %s vs unfaulted %s", faultedError, cleanError)
                    .isLessThan(0.1);
        } finally {
            dfs.shutdown();
        }
    }

    /**
     * The cluster's own settings turned off for one submission: the driver refuses before it creates
     * a Spark context (seconds, not a training run), exits 2 and says what is off, why and the ways out.
     * Every other run of this test goes through Spark with authentication and encryption on.
     */
    private static void theDriverRefusesTheClusterWithoutSparksAuthenticationAndEncryption(StandaloneCluster cluster,
            java.nio.file.Path project, String root, String demoConf) throws Exception {
        List<java.nio.file.Path> before = cluster.executorLogs();
        Run refused = run(cluster, project, "refused", List.of(), 2,
                List.of("--conf", "spark.authenticate=false", "--conf", "spark.network.crypto.enabled=false"),
                List.of("--config", demoConf, "--set", "job.data=" + root + "/datasets/fmnist",
                        "--set", "job.output=" + root + "/runs/e2e-refused"));
        assertThat(refused.exit()).as(refused.context()).isEqualTo(2);
        assertThat(refused.log()).as(refused.context())
                .contains("error: refusing to train on " + cluster.masterUrl()
                        + ": spark.authenticate and spark.network.crypto.enabled are not true")
                .contains("The parameter server's secret and the model travel inside Spark tasks")
                .contains("job.network-trusted = true");
        assertThat(cluster.executorLogs()).as("no executor was started for the refused run").isEqualTo(before);
    }

    /**
     * Three replicas, at least two: a second Worker (one core, one GPU) carries the third. It is
     * killed with its executor in epoch 1, as a node that crashed, and started again after epoch 2.
     */
    private static void aNodeLostForGoodShrinksTheJobAndItsReturnGrowsItBack(StandaloneCluster cluster, java.nio.file.Path project,
                                                                            FileSystem hdfs, String root, String demoConf)
            throws Exception {
        cluster.startWorker("worker-b", 1, "3g", 1);
        String output = root + "/runs/e2e-elastic";
        int epochs = 4;
        Run run = run(cluster, project, "elastic", List.of(
                Fault.afterExecutorLog(": epoch 1 round 2/", driver -> cluster.killWorker("worker-b")),
                Fault.afterDriverLog("epoch 2/" + epochs + "  round ", driver -> cluster.startWorker("worker-b", 1, "3g", 1))),
                3, List.of("--config", demoConf, "--set", "job.data=" + root + "/datasets/fmnist", "--set", "job.output=" + output,
                        "--set", "training.epochs=" + epochs, "--set", "training.batch-size=32", "--set", "job.tau=4",
                        "--set", "job.evaluation=spark", "--set", "paramserver.host=127.0.0.1",
                        "--set", "paramserver.port=" + StandaloneCluster.freePort(), "--set", "job.replicas=3",
                        "--set", "job.min-replicas=2", "--set", "job.recovery.slot-wait=15s"));
        assertThat(run.exit()).as(run.context()).isZero();
        List<JsonNode> metrics = readLines(hdfs, new Path(output, "metrics.jsonl"));
        assertThat(metrics).hasSize(epochs);
        JsonNode first = metrics.get(0);
        JsonNode attempts = first.get("attempts");
        assertThat(attempts).as("%s", first).hasSize(2);
        assertThat(attempts.get(0).get("replicas").asInt()).isEqualTo(3);
        assertThat(attempts.get(0).get("next").asText()).isEqualTo("restart the epoch from its start with 2 of 3 replicas");
        assertThat(first.get("replicas").asInt()).isEqualTo(2);
        assertThat(metrics.get(1).get("replicas").asInt()).as("epoch 2, the node still gone").isEqualTo(2);
        assertThat(metrics.get(epochs - 1).get("replicas").asInt()).as("the last epoch, the node back").isEqualTo(3);
        assertThat(run.log()).contains("this epoch runs 2 of 3 replicas");
        // Every epoch trains all 2,000 images, with 2 replicas (4 + 4 shards of 250) as with 3 (3 + 3 + 2:
        // the replica with fewer pushes the average it holds in the epoch's last rounds).
        for (JsonNode e : metrics) {
            assertThat(e.get("images").asLong()).as("%s", e).isEqualTo(2000);
        }
        assertThat(hdfs.exists(new Path(output, "report/replicas.png"))).isTrue();
        System.err.printf("e2e RELIABILITY node lost for good in epoch 1: restarted with 2 of 3 replicas after %.1f s; "
                        + "replicas by epoch %s; top-1 error by epoch %s%n", attempts.get(0).get("seconds").asDouble(),
                metrics.stream().map(m -> m.get("replicas").asText()).toList(),
                metrics.stream().map(m -> m.get("top1Error").asText()).toList());
    }

    /**
     * The driver killed with SIGKILL in the middle of epoch 2, after a round-level checkpoint; then
     * {@code train --resume} finishes the run from it.
     */
    private static void aKilledDriverResumesFromItsLastCheckpoint(StandaloneCluster cluster, java.nio.file.Path project,
                                                                  FileSystem hdfs, String root, String demoConf) throws Exception {
        String output = root + "/runs/e2e-driver-lost";
        List<String> args = new ArrayList<>(List.of("--config", demoConf, "--set", "job.data=" + root + "/datasets/fmnist",
                "--set", "job.output=" + output, "--set", "training.epochs=2", "--set", "training.batch-size=32",
                "--set", "job.tau=4", "--set", "job.evaluation=spark", "--set", "paramserver.host=127.0.0.1",
                "--set", "job.checkpoint-every-rounds=2"));
        List<String> first = new ArrayList<>(args);
        first.addAll(List.of("--set", "paramserver.port=" + StandaloneCluster.freePort()));
        long[] killedAt = new long[1];
        // Killed once a round-level checkpoint of epoch 2 is written (every 2 rounds).
        Run killed = run(cluster, project, "driver-lost", List.of(Fault.afterDriverLog("ckpt-000001-r0000", driver -> {
            driver.destroyForcibly(); // SIGKILL: no shutdown hook, no cleanup
            driver.waitFor();
            killedAt[0] = System.nanoTime();
        })), 2, first);
        assertThat(killed.exit()).as(killed.context()).isEqualTo(137);
        assertThat(readLines(hdfs, new Path(output, "metrics.jsonl"))).hasSize(1);

        List<String> resume = new ArrayList<>(args);
        resume.addAll(List.of("--set", "paramserver.port=" + StandaloneCluster.freePort(), "--resume"));
        Submitted resumed = submitTrain(cluster, project, "driver-resumed", List.of(), resume);
        double seconds = (System.nanoTime() - killedAt[0]) / 1e9;
        assertThat(resumed.out()).as(resumed.context()).contains("resuming from").contains("after epoch 1 and ")
                .contains(" rounds of epoch 2").contains("trained 2 epochs");
        List<JsonNode> metrics = readLines(hdfs, new Path(output, "metrics.jsonl"));
        assertThat(metrics).hasSize(2);
        assertThat(metrics.stream().map(m -> m.get("epoch").asInt()).toList()).containsExactly(1, 2);
        assertThat(metrics.get(1).get("images").asLong()).as("epoch 2, resumed within").isEqualTo(metrics.get(0).get("images").asLong());
        System.err.printf("e2e RELIABILITY driver SIGKILL in epoch 2: --resume (a new application, from the round-level "
                + "checkpoint) finished the run %.1f s after the kill; top-1 error by epoch %s%n", seconds,
                metrics.stream().map(m -> m.get("top1Error").asText()).toList());
    }

    /** What a {@code deploy/bin/submit ... -- train} run printed and logged; it has exited 0. */
    private record Submitted(String out, String log, String context) {
    }

    /**
     * A fault injected while a run goes on: once {@code trigger} shows in an executor log written
     * during the run (or in the driver's log), {@code action} runs. A run's faults fire in order.
     */
    private static final class Fault {
        interface Action {
            void run(Process driver) throws Exception;
        }

        final String trigger;
        final boolean inDriverLog;
        final Action action;
        volatile boolean fired;

        private Fault(String trigger, boolean inDriverLog, Action action) {
            this.trigger = trigger;
            this.inDriverLog = inDriverLog;
            this.action = action;
        }

        static Fault afterExecutorLog(String trigger, Action action) {
            return new Fault(trigger, false, action);
        }

        static Fault afterDriverLog(String trigger, Action action) {
            return new Fault(trigger, true, action);
        }

        /** Kills one executor JVM (SIGKILL), a child of the first Worker. */
        static Fault killExecutorAfter(StandaloneCluster cluster, String trigger) {
            return afterExecutorLog(trigger, driver -> System.err.printf("e2e: killed executor JVM %d (SIGKILL) after '%s'%n",
                    cluster.killOneExecutor(), trigger));
        }

        private boolean triggered(StandaloneCluster cluster, List<java.nio.file.Path> before, java.nio.file.Path driverLog)
                throws Exception {
            if (inDriverLog) {
                return Files.exists(driverLog) && Files.readString(driverLog, StandardCharsets.UTF_8).contains(trigger);
            }
            for (java.nio.file.Path f : cluster.executorLogs()) {
                if (!before.contains(f) && Files.readString(f, StandardCharsets.UTF_8).contains(trigger)) {
                    return true;
                }
            }
            return false;
        }

        static Thread inject(List<Fault> faults, StandaloneCluster cluster, List<java.nio.file.Path> before,
                             java.nio.file.Path driverLog, Process driver) {
            Thread t = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
                try {
                    for (Fault f : faults) {
                        while (!f.triggered(cluster, before, driverLog)) {
                            if (System.nanoTime() > deadline || !driver.isAlive()) {
                                return;
                            }
                            Thread.sleep(100);
                        }
                        f.action.run(driver);
                        f.fired = true;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "e2e-faults");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }

    /** A run's driver: what it printed and logged, and how it exited. */
    private record Run(int exit, String out, String log, String context) {
    }

    /**
     * Runs {@code deploy/bin/submit -- train ARGS} against the cluster with {@code faults} injected
     * meanwhile, and checks it exited 0.
     */
    private static Submitted submitTrain(StandaloneCluster cluster, java.nio.file.Path project, String name, List<Fault> faults,
                                         List<String> trainArgs) throws Exception {
        Run run = run(cluster, project, name, faults, 2, trainArgs);
        assertThat(run.exit()).as(run.context()).isZero();
        return new Submitted(run.out(), run.log(), run.context());
    }

    /** Runs {@code deploy/bin/submit -- train ARGS} with {@code executors} one-core executors, faults injected meanwhile. */
    private static Run run(StandaloneCluster cluster, java.nio.file.Path project, String name, List<Fault> faults, int executors,
                           List<String> trainArgs) throws Exception {
        return run(cluster, project, name, faults, executors, List.of(), trainArgs);
    }

    /**
     * As {@link #run(StandaloneCluster, java.nio.file.Path, String, List, int, List)}, with more
     * spark-submit options ({@code submitOptions}, after this test's own, so they win).
     */
    private static Run run(StandaloneCluster cluster, java.nio.file.Path project, String name, List<Fault> faults, int executors,
                           List<String> submitOptions, List<String> trainArgs) throws Exception {
        List<String> submit = new ArrayList<>(List.of(project.resolve("deploy/bin/submit").toString(),
                "--master", cluster.masterUrl(), "--deploy-mode", "client",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.executor.cores=1", "--conf", "spark.cores.max=" + executors,
                "--conf", "spark.executor.memory=1500m", "--conf", "spark.executor.memoryOverhead=1g",
                "--conf", "spark.executor.resource.gpu.amount=1", "--conf", "spark.task.resource.gpu.amount=1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.ui.showConsoleProgress=false"));
        submit.addAll(submitOptions);
        submit.add("--");
        submit.add("train");
        submit.addAll(trainArgs);
        // Logs stay in target/ after the run, to read when this test fails.
        java.nio.file.Path logs = Files.createDirectories(project.resolve("modules/trainer/target/e2e-logs"));
        java.nio.file.Path driverLog = logs.resolve("driver-" + name + ".log");
        java.nio.file.Path driverOut = logs.resolve("driver-" + name + ".out");
        ProcessBuilder pb = new ProcessBuilder(submit).redirectError(driverLog.toFile()).redirectOutput(driverOut.toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        pb.environment().remove("SPARK_HOME");
        // spark.authenticate and spark.network.crypto.enabled come from conf/spark-defaults.conf; the
        // cluster's secret from a file, as on a real standalone cluster (never the command line).
        pb.environment().put("ALEXNET_SPARK_PROPERTIES", cluster.applicationProperties().toString());
        List<java.nio.file.Path> before = cluster.executorLogs();
        Process driver = pb.start();
        Thread injector = faults.isEmpty() ? null : Fault.inject(faults, cluster, before, driverLog, driver);
        try {
            boolean finished = driver.waitFor(15, TimeUnit.MINUTES);
            String out = Files.readString(driverOut, StandardCharsets.UTF_8);
            String log = Files.readString(driverLog, StandardCharsets.UTF_8);
            String context = out + "\n--- driver log (tail) ---\n" + tail(log) + "\n--- worker ---\n" + cluster.tail("worker");
            assertThat(finished).as("the job finished within 15 minutes\n" + context).isTrue();
            if (injector != null) {
                injector.join(30_000); // a fault that killed the driver is marked fired after the kill
            }
            for (Fault f : faults) {
                assertThat(f.fired).as("fault after '%s' was injected\n%s", f.trigger, context).isTrue();
            }
            return new Run(driver.exitValue(), out, log, context);
        } finally {
            if (injector != null) {
                injector.interrupt();
                injector.join(10_000);
            }
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
