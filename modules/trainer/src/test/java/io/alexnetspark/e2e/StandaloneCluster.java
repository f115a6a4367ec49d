package io.alexnetspark.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on loopback for the end-to-end test: a Master and one Worker, each
 * its own JVM, the Worker starting a separate JVM per executor as on a real cluster. The Worker
 * needs a SPARK_HOME to build executor command lines from; this assembles one whose jars/ folder
 * links the jars Maven resolved for the trainer (a real distribution holds Spark's own jars there).
 * The Worker offers two fake GPUs ("0" and "1") through a discovery script, so that Spark's
 * resource scheduling hands one to each executor.
 *
 * <p>Spark's traffic is authenticated and encrypted as conf/spark-defaults.conf asks of a real
 * cluster: the Master and the Workers read spark.authenticate, spark.network.crypto.enabled and
 * one generated spark.authenticate.secret from a properties file (mode 600, never a command line),
 * and the application gets the same secret from {@link #applicationProperties()} through
 * deploy/bin/submit's ALEXNET_SPARK_PROPERTIES. A Worker hands its secret to the executors it starts.
 */
final class StandaloneCluster implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();
    private final Map<String, Process> named = new java.util.HashMap<>();
    private final Path logs;
    private final String classpath;
    private final String jvmOptions;
    private final Map<String, String> env;
    private final Path dir;
    private final Path daemonProperties;
    private final Path applicationProperties;
    final int masterPort;
    final Path workDir;

    StandaloneCluster(Path project, Path dir, Path logDir, int workerCores, String workerMemory) throws Exception {
        Path target = project.resolve("modules/trainer/target");
        List<String> classpath = List.of(Files.readString(target.resolve("classpath.txt")).trim().split(":"));
        Path sparkHome = Files.createDirectories(dir.resolve("spark-home"));
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        for (String jar : classpath) {
            Path source = Path.of(jar);
            Path link = jars.resolve(source.getFileName());
            if (!Files.exists(link)) {
                Files.createSymbolicLink(link, source);
            }
        }
        logs = Files.createDirectories(logDir);
        // What an earlier run of the test left: the Workers' folders and the cluster's logs (appended to).
        try (var old = Files.list(logs)) {
            for (Path p : old.toList()) {
                String f = p.getFileName().toString();
                if (f.endsWith("-work") || f.equals("master.log") || (f.startsWith("worker") && f.endsWith(".log"))) {
                    try (var tree = Files.walk(p)) {
                        for (Path q : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.delete(q);
                        }
                    }
                }
            }
        }
        workDir = Files.createDirectories(logDir.resolve("worker-work"));
        masterPort = freePort();
        this.classpath = String.join(":", classpath);
        this.jvmOptions = "@" + project.resolve("conf/jvm.options");
        this.env = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12",
                "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_LOCAL_HOSTNAME", "127.0.0.1");
        this.dir = dir;
        // One secret for the Master, the Workers and the application: standalone Spark has no other way.
        byte[] secretBytes = new byte[32];
        new SecureRandom().nextBytes(secretBytes);
        String secret = HexFormat.of().formatHex(secretBytes);
        daemonProperties = ownerOnlyFile(dir.resolve("spark-daemons.properties"), String.join("\n",
                "spark.authenticate true", "spark.network.crypto.enabled true", "spark.network.crypto.saslFallback false",
                "spark.authenticate.secret " + secret, ""));
        applicationProperties = ownerOnlyFile(dir.resolve("spark-application-secret.properties"),
                "spark.authenticate.secret " + secret + "\n");

        start("master", List.of("java", jvmOptions, "-Xmx512m", "-cp", this.classpath, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(freePort()),
                "--properties-file", daemonProperties.toString()));
        awaitLog("master", "I have been elected leader", Duration.ofMinutes(2));
        startWorker("worker", workerCores, workerMemory, 2);
    }

    /**
     * Starts a Worker (its own JVM) offering {@code gpus} fake GPU addresses ("0", "1", ...), and
     * waits until it registered with the Master.
     */
    void startWorker(String name, int cores, String memory, int gpus) throws Exception {
        Path script = dir.resolve("fake-gpus-" + gpus + ".sh");
        StringBuilder addresses = new StringBuilder();
        for (int g = 0; g < gpus; g++) {
            addresses.append(g == 0 ? "" : ", ").append("\"").append(g).append("\"");
        }
        Files.writeString(script, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [" + addresses + "]}'\n");
        script.toFile().setExecutable(true);
        Path work = Files.createDirectories(name.equals("worker") ? workDir : workDir.resolveSibling(name + "-work"));
        int logLines = lineCount(name);
        start(name, List.of("java", jvmOptions, "-Xmx512m",
                "-Dspark.worker.resource.gpu.amount=" + gpus, "-Dspark.worker.resource.gpu.discoveryScript=" + script,
                "-cp", classpath, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--cores", Integer.toString(cores), "--memory", memory, "--work-dir", work.toString(),
                "--webui-port", Integer.toString(freePort()), "--properties-file", daemonProperties.toString(), masterUrl()));
        awaitLog(name, "Successfully registered with master", Duration.ofMinutes(2), logLines);
    }

    /**
     * Kills a Worker and every executor JVM it started with SIGKILL, as a node that crashed: the
     * processes of the tree this cluster started, children first.
     */
    void killWorker(String name) {
        Process worker = named.remove(name);
        if (worker == null) {
            throw new IllegalArgumentException("no running worker " + name);
        }
        worker.descendants().forEach(ProcessHandle::destroyForcibly);
        worker.destroyForcibly();
        worker.onExit().join();
        processes.remove(worker);
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
    }

    /**
     * The properties file (mode 600) holding the cluster's spark.authenticate.secret, for an
     * application: deploy/bin/submit adds it to its Spark properties when ALEXNET_SPARK_PROPERTIES names it.
     */
    Path applicationProperties() {
        return applicationProperties;
    }

    /** Writes {@code text} into a new file that only this user may read: it holds the cluster's secret. */
    private static Path ownerOnlyFile(Path file, String text) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** The last lines of a process's log, for failure messages. */
    String tail(String name) {
        try {
            List<String> lines = Files.readAllLines(logs.resolve(name + ".log"), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /**
     * Kills one executor JVM with SIGKILL, as a node's OOM killer or a preemption would: a child of
     * the Worker this cluster started (never a process found by its name).
     *
     * @return the killed process's pid
     */
    long killOneExecutor() {
        Process worker = named.get("worker");
        ProcessHandle executor = worker.children().filter(ProcessHandle::isAlive).findFirst()
                .orElseThrow(() -> new IllegalStateException("the Worker runs no executor JVM"));
        executor.destroyForcibly();
        executor.onExit().join();
        return executor.pid();
    }

    /** Executor stderr files the Workers wrote: one per executor JVM they started. */
    List<Path> executorLogs() throws IOException {
        List<Path> out = new ArrayList<>();
        try (var dirs = Files.list(workDir.getParent())) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().endsWith("work")).toList()) {
                try (var files = Files.walk(d)) {
                    files.filter(p -> p.getFileName().toString().equals("stderr")).forEach(out::add);
                }
            }
        }
        return out.stream().sorted().toList();
    }

    private void start(String name, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(name + ".log").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        named.put(name, p);
    }

    private int lineCount(String name) throws IOException {
        Path log = logs.resolve(name + ".log");
        return Files.exists(log) ? Files.readAllLines(log, StandardCharsets.UTF_8).size() : 0;
    }

    private void awaitLog(String name, String line, Duration timeout) throws Exception {
        awaitLog(name, line, timeout, 0);
    }

    /** Waits until the log's lines after the first {@code skipLines} contain {@code line}. */
    private void awaitLog(String name, String line, Duration timeout, int skipLines) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path log = logs.resolve(name + ".log");
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                if (lines.subList(Math.min(skipLines, lines.size()), lines.size()).stream().anyMatch(l -> l.contains(line))) {
                    return;
                }
            }
            if (!named.get(name).isAlive()) {
                throw new IllegalStateException(name + " exited:\n" + tail(name));
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " did not log '" + line + "' within " + timeout + ":\n" + tail(name));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the Worker (and with it its executors) and the Master, children first. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            Process p = processes.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            try {
                if (!p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly().waitFor();
                }
            } catch (InterruptedException e) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
