package io.alexnetspark.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Spark standalone cluster on loopback for the end-to-end test: a Master and one Worker, each
 * its own JVM, the Worker starting a separate JVM per executor as on a real cluster. The Worker
 * needs a SPARK_HOME to build executor command lines from; this assembles one whose jars/ folder
 * links the jars Maven resolved for the trainer (a real distribution holds Spark's own jars there).
 * The Worker offers two fake GPUs ("0" and "1") through a discovery script, so that Spark's
 * resource scheduling hands one to each executor.
 */
final class StandaloneCluster implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();
    private final Path logs;
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
        Path gpus = dir.resolve("fake-gpus.sh");
        Files.writeString(gpus, "#!/bin/sh\necho '{\"name\": \"gpu\", \"addresses\": [\"0\", \"1\"]}'\n");
        gpus.toFile().setExecutable(true);

        logs = Files.createDirectories(logDir);
        workDir = Files.createDirectories(logDir.resolve("worker-work"));
        try (var old = Files.walk(workDir)) {
            for (Path p : old.sorted(java.util.Comparator.reverseOrder()).toList()) {
                if (!p.equals(workDir)) {
                    Files.delete(p);
                }
            }
        }
        masterPort = freePort();
        String cp = String.join(":", classpath);
        String jvmOptions = "@" + project.resolve("conf/jvm.options");
        Map<String, String> env = Map.of("SPARK_HOME", sparkHome.toString(), "SPARK_SCALA_VERSION", "2.12",
                "SPARK_LOCAL_IP", "127.0.0.1", "SPARK_LOCAL_HOSTNAME", "127.0.0.1");

        start("master", env, List.of("java", jvmOptions, "-Xmx512m", "-cp", cp, "org.apache.spark.deploy.master.Master",
                "--host", "127.0.0.1", "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(freePort())));
        awaitLog("master", "I have been elected leader", Duration.ofMinutes(2));
        start("worker", env, List.of("java", jvmOptions, "-Xmx512m",
                "-Dspark.worker.resource.gpu.amount=2", "-Dspark.worker.resource.gpu.discoveryScript=" + gpus,
                "-cp", cp, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--cores", Integer.toString(workerCores), "--memory", workerMemory, "--work-dir", workDir.toString(),
                "--webui-port", Integer.toString(freePort()), masterUrl()));
        awaitLog("worker", "Successfully registered with master", Duration.ofMinutes(2));
    }

    String masterUrl() {
        return "spark://127.0.0.1:" + masterPort;
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

    /** Executor stderr files the Worker wrote: one per executor JVM it started. */
    List<Path> executorLogs() throws IOException {
        try (var files = Files.walk(workDir)) {
            return files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList();
        }
    }

    private void start(String name, Map<String, String> env, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        pb.environment().putAll(env);
        processes.add(pb.start());
    }

    private void awaitLog(String name, String line, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path log = logs.resolve(name + ".log");
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(line)) {
                return;
            }
            if (!processes.get(processes.size() - 1).isAlive()) {
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
