package io.alexnetspark.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The job across hosts: {@code deploy/local/up.sh --hosts 3} makes three Linux network namespaces,
 * each a host with its own address on a bridge, running a DataNode and a Spark Worker (HDFS's
 * NameNode, the Master and the driver stay in this namespace, on the bridge). Real Fashion-MNIST
 * photos are ingested into that HDFS, and {@code deploy/local/submit.sh -- train} trains 3 replicas
 * with {@code paramserver.placement = executors}: each executor serves one shard of the parameter
 * server on its own host's address and the replicas average through each other's shards over UDP
 * between the hosts. Then {@code down.sh}, and nothing of the cluster may be left: no namespace,
 * link, process or Aeron folder.
 *
 * <p>Needs root (network namespaces). In CI (CI=true, where the machine gives root) it must run; a
 * developer's run without root skips it and says why.
 */
class MultiHostClusterIT {

    private static final String NAME = "alxit";
    private static final String SUBNET = "198.18.7";
    private static final int HOSTS = 3;
    private static final int EPOCHS = 2;
    private static final int PS_PORT = 40123;

    @Test
    void trainsAcrossThreeHostsWithAShardOfTheServerOnEach(@TempDir java.nio.file.Path tmp) throws Exception {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (System.getenv("CI") == null) {
            assumeTrue(root, "network namespaces need root: run as root to test the cluster across hosts");
        } else {
            assertThat(root).as("CI runs as root: the multi-host test must run there").isTrue();
        }
        java.nio.file.Path project = java.nio.file.Path.of(System.getProperty("alexnet.project.dir", "../..")).toAbsolutePath();
        java.nio.file.Path logs = Files.createDirectories(project.resolve("modules/trainer/target/multihost-logs"));
        java.nio.file.Path dir = tmp.resolve("cluster");
        Set<String> aeronBefore = aeronFolders();

        Shell up = Shell.run(List.of(project.resolve("deploy/local/up.sh").toString(), "--hosts", Integer.toString(HOSTS),
                "--name", NAME, "--subnet", SUBNET, "--dir", dir.toString(), "--worker-memory", "3g"), logs.resolve("up.log"), 5);
        List<Long> daemons = new ArrayList<>();
        try {
            assertThat(up.exit()).as(up.output()).isZero();
            Properties env = clusterEnv(dir);
            daemons.addAll(daemonPids(dir));
            assertThat(daemons).as("NameNode, 3 DataNodes, Master, 3 Workers").hasSize(2 + 2 * HOSTS);
            String hdfsUrl = env.getProperty("HDFS_URL");
            assertThat(hdfsUrl).isEqualTo("hdfs://" + SUBNET + ".1:17020");

            String demoConf = project.resolve("conf/demo.conf").toString();
            E2eDataset.ingest(tmp, hdfsUrl, demoConf);

            // doctor --cluster before the run, as a user would: every executor on its own host binds
            // its shard's ports and reaches the other hosts' shards and the driver's clock.
            Shell doctor = Shell.run(List.of(project.resolve("deploy/local/submit.sh").toString(), "--dir", dir.toString(),
                    "--", "doctor", "--cluster", "--config", demoConf, "--set", "job.data=" + hdfsUrl + "/datasets/fmnist",
                    "--set", "job.output=" + hdfsUrl + "/runs/multihost", "--set", "job.replicas=" + HOSTS,
                    "--set", "paramserver.placement=executors", "--set", "paramserver.port=" + PS_PORT),
                    logs.resolve("doctor.log"), 5);
            assertThat(doctor.exit()).as(tail(doctor.output())).isZero();
            assertThat(doctor.output()).as(tail(doctor.output()))
                    .contains(HOSTS + " executors on " + HOSTS + " hosts").contains("doctor: every check passed")
                    .contains("Spark's authentication and encryption: on").doesNotContain("FAILED");
            for (int h = 1; h <= HOSTS; h++) {
                assertThat(doctor.output()).containsPattern("executor \\d on " + Pattern.quote(SUBNET + "." + (10 + h))
                        + ": parameter server ports \\(UDP\\) reached " + 2 * (HOSTS - 1) + " of " + 2 * (HOSTS - 1));
            }
            System.err.println("multihost: doctor --cluster\n" + doctor.output().lines()
                    .filter(l -> l.startsWith("executor ") || l.startsWith("driver ") || l.contains("executors on")).collect(
                            java.util.stream.Collectors.joining("\n")));

            // While the job trains, what each host has bound on its own address for the shards' pushes.
            ShardSockets sockets = new ShardSockets();
            String output = hdfsUrl + "/runs/multihost";
            Shell train;
            try (ShardSockets.Watch watch = sockets.watch()) {
                train = Shell.run(List.of(project.resolve("deploy/local/submit.sh").toString(), "--dir", dir.toString(),
                        "--", "train", "--config", demoConf, "--set", "job.data=" + hdfsUrl + "/datasets/fmnist",
                        "--set", "job.output=" + output, "--set", "job.replicas=" + HOSTS,
                        "--set", "training.epochs=" + EPOCHS, "--set", "training.batch-size=32", "--set", "job.tau=4",
                        "--set", "job.evaluation=spark", "--set", "paramserver.placement=executors",
                        "--set", "paramserver.port=" + PS_PORT), logs.resolve("driver.log"), 15);
            }
            String context = tail(train.output());
            assertThat(train.exit()).as(context).isZero();
            assertThat(train.output()).as(context).contains("trained " + EPOCHS + " epochs (AERON_AVERAGING, " + HOSTS + " replicas)");
            for (int e = 1; e <= EPOCHS; e++) {
                assertThat(train.output()).as(context).contains("epoch " + e + ": replicas in step: all " + HOSTS + " hold the shards' average");
            }
            assertThat(train.output()).doesNotContain("OUT OF STEP").doesNotContain("parameter server started");

            // Each epoch's stage may put the partitions on other hosts, so: at every moment each host
            // bound at most one shard's push port, on its own address, and no port was bound twice;
            // over the run every host served a shard and every shard was served.
            Map<String, Set<Integer>> bound = sockets.seen();
            System.err.println("multihost: shard push ports bound per host over the run " + bound);
            assertThat(sockets.foreign).as("sockets bound on another host's address").isEmpty();
            assertThat(sockets.crowded).as("moments a host bound more than one shard, or two hosts one port").isEmpty();
            assertThat(sockets.snapshots.get()).as("polls that saw the shards").isPositive();
            Set<Integer> shardsSeen = new HashSet<>();
            for (int h = 1; h <= HOSTS; h++) {
                String host = SUBNET + "." + (10 + h);
                assertThat(bound.get(host)).as("shard push ports bound on %s (all hosts: %s)", host, bound).isNotEmpty();
                bound.get(host).forEach(port -> shardsSeen.add((port - PS_PORT) / 2));
            }
            assertThat(shardsSeen).containsExactlyInAnyOrder(0, 1, 2);
            // And each executor said so: the shard it serves, on its own host, once per epoch.
            String executors = executorLogs(dir);
            for (int s = 0; s < HOSTS; s++) {
                Matcher m = Pattern.compile("replica " + s + " serves shard " + s + " of " + HOSTS
                        + " on its own host: aeron:udp\\?endpoint=([0-9.]+):" + (PS_PORT + 2 * s)).matcher(executors);
                int found = 0;
                while (m.find()) {
                    found++;
                    assertThat(bound.get(m.group(1))).as("ports bound on the host replica %d named", s).contains(PS_PORT + 2 * s);
                }
                assertThat(found).as("epochs in which replica %d logged its shard", s).isEqualTo(EPOCHS);
            }

            // Model, report and metrics in HDFS; every image trained once per epoch by 3 replicas.
            try (FileSystem hdfs = FileSystem.newInstance(URI.create(hdfsUrl), new Configuration())) {
                assertThat(hdfs.exists(new Path(output, "model/model.zip"))).isTrue();
                assertThat(hdfs.exists(new Path(output, "report/report.html"))).isTrue();
                List<JsonNode> epochs = new ArrayList<>();
                try (var in = hdfs.open(new Path(output, "metrics.jsonl"))) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        if (!line.isBlank()) {
                            epochs.add(new ObjectMapper().readTree(line));
                        }
                    }
                }
                assertThat(epochs).hasSize(EPOCHS);
                for (JsonNode e : epochs) {
                    assertThat(e.get("images").asLong()).as("%s", e).isEqualTo(E2eDataset.TRAIN_IMAGES);
                    assertThat(e.get("replicas").asInt()).isEqualTo(HOSTS);
                }
                System.err.printf("multihost: top-1 error by epoch %s, epoch seconds %s%n",
                        epochs.stream().map(n -> n.get("top1Error").asText()).toList(),
                        epochs.stream().map(n -> n.get("epochSeconds").asText()).toList());
            }
        } finally {
            Shell down = Shell.run(List.of(project.resolve("deploy/local/down.sh").toString(), "--dir", dir.toString()),
                    logs.resolve("down.log"), 2);
            assertThat(down.exit()).as(down.output()).isZero();
        }
        // Nothing is left: processes, namespaces, links, Aeron folders.
        for (long pid : daemons) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("daemon %d stopped", pid).isFalse();
        }
        assertThat(Shell.run(List.of("ip", "netns", "list"), null, 1).output()).doesNotContain(NAME + "-h");
        assertThat(Shell.run(List.of("ip", "-o", "link", "show"), null, 1).output()).doesNotContain(NAME);
        assertThat(aeronFolders()).as("Aeron folders in /dev/shm").isSubsetOf(aeronBefore);
    }

    /**
     * Polls every namespace host's UDP sockets ({@code ss}) while the job runs and records which of
     * the shards' push ports each host bound on its own address.
     */
    private static final class ShardSockets {
        private final Map<String, Set<Integer>> seen = new ConcurrentHashMap<>();
        private final Set<String> foreign = ConcurrentHashMap.newKeySet();
        private final Set<String> crowded = ConcurrentHashMap.newKeySet();
        private final java.util.concurrent.atomic.AtomicInteger snapshots = new java.util.concurrent.atomic.AtomicInteger();

        Watch watch() {
            Watch w = new Watch();
            w.thread.start();
            return w;
        }

        Map<String, Set<Integer>> seen() {
            return new HashMap<>(seen);
        }

        final class Watch implements AutoCloseable {
            private volatile boolean stop;
            private final Thread thread = new Thread(this::poll, "shard-sockets");

            private void poll() {
                Pattern local = Pattern.compile("\\s(" + Pattern.quote(SUBNET) + "\\.\\d+):(\\d+)\\s");
                while (!stop) {
                    Map<Integer, String> owners = new HashMap<>();
                    for (int h = 1; h <= HOSTS; h++) {
                        String own = SUBNET + "." + (10 + h);
                        try {
                            Shell ss = Shell.run(List.of("ip", "netns", "exec", NAME + "-h" + h, "ss", "-Hunl"), null, 1);
                            Matcher m = local.matcher(ss.output());
                            int shardsHere = 0;
                            while (m.find()) {
                                int port = Integer.parseInt(m.group(2));
                                // Push ports: PS_PORT + 2s (the odd ones are dedicated servers' lobbies).
                                if (port >= PS_PORT && port < PS_PORT + 2 * HOSTS && (port - PS_PORT) % 2 == 0) {
                                    shardsHere++;
                                    seen.computeIfAbsent(m.group(1), k -> ConcurrentHashMap.newKeySet()).add(port);
                                    if (!m.group(1).equals(own)) {
                                        foreign.add(m.group(0).trim() + " in host " + h + "'s namespace");
                                    }
                                    String other = owners.put(port, own);
                                    if (other != null) {
                                        crowded.add("port " + port + " on " + other + " and " + own);
                                    }
                                }
                            }
                            if (shardsHere > 1) {
                                crowded.add(shardsHere + " shard ports on " + own);
                            }
                        } catch (Exception e) {
                            return;
                        }
                    }
                    if (!owners.isEmpty()) {
                        snapshots.incrementAndGet();
                    }
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }

            @Override
            public void close() throws InterruptedException {
                stop = true;
                thread.interrupt();
                thread.join(10_000);
            }
        }
    }

    /** A finished command: exit code and its output (stdout and stderr together). */
    private record Shell(int exit, String output) {
        static Shell run(List<String> command, java.nio.file.Path log, int minutes) throws IOException, InterruptedException {
            java.nio.file.Path out = log != null ? log : Files.createTempFile("shell", ".log");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try {
                if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
                    throw new IllegalStateException(command + " did not finish within " + minutes + " min:\n"
                            + tail(Files.readString(out, StandardCharsets.UTF_8)));
                }
                return new Shell(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor();
                if (log == null) {
                    Files.deleteIfExists(out);
                }
            }
        }
    }

    private static Properties clusterEnv(java.nio.file.Path dir) throws IOException {
        Properties env = new Properties();
        for (String line : Files.readAllLines(dir.resolve("cluster.env"), StandardCharsets.UTF_8)) {
            int eq = line.indexOf('=');
            if (!line.startsWith("#") && eq > 0) {
                env.setProperty(line.substring(0, eq), line.substring(eq + 1).replace("'", ""));
            }
        }
        return env;
    }

    private static List<Long> daemonPids(java.nio.file.Path dir) throws IOException {
        List<Long> pids = new ArrayList<>();
        try (var files = Files.list(dir.resolve("pids"))) {
            for (java.nio.file.Path f : files.toList()) {
                pids.add(Long.parseLong(Files.readString(f).trim()));
            }
        }
        return pids;
    }

    private static String executorLogs(java.nio.file.Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.walk(dir.resolve("work"))) {
            for (java.nio.file.Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return all.toString();
    }

    private static Set<String> aeronFolders() throws IOException {
        java.nio.file.Path root = java.nio.file.Path.of("/dev/shm/alexnet-aeron-" + System.getProperty("user.name"));
        if (!Files.isDirectory(root)) {
            return Set.of();
        }
        try (var list = Files.list(root)) {
            return new HashSet<>(list.map(p -> p.getFileName().toString()).toList());
        }
    }

    private static String tail(String text) {
        String[] lines = text.split("\n");
        return String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 80), lines.length));
    }
}
