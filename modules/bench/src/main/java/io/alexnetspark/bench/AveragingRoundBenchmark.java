package io.alexnetspark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aeron.driver.MediaDriver;
import io.alexnetspark.model.AlexNetFactory;
import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.ConvSpec;
import io.alexnetspark.model.LrnSpec;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.train.TrainingRecipe;
import io.alexnetspark.paramserver.AeronConnection;
import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.Channel;
import io.alexnetspark.paramserver.ClientConfig;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.MacAlgorithm;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServer;
import io.alexnetspark.paramserver.RoundStats;
import io.alexnetspark.paramserver.ServerConfig;
import io.alexnetspark.paramserver.ShardRoundStats;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.EventStats;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Issue 4's benchmark: the time of ONE synchronous averaging round of the AlexNet parameter vector
 * (62,378,344 float32, 249.5 MB) with N workers on loopback, beside references measured in the
 * same run (deploy/bench/averaging-round.sh runs the parts one after the other, each in its own JVM):
 *
 * <ul>
 *   <li>{@code floor}: the in-memory floor, one thread: a memcpy of the vector and the average
 *       (sum / N) of N vectors, on heap float arrays;</li>
 *   <li>{@code ps}: our parameter server (modules/paramserver): an embedded {@link ParameterServer}
 *       and N {@link ParameterClient} threads in this JVM, UDP (one worker-side media driver shared by
 *       the N clients, as in the module's tests) or IPC (one driver for all);</li>
 *   <li>{@code spark}: DL4J's {@link ParameterAveragingTrainingMaster} in Spark local[N], one
 *       1-example batch per worker, averagingFrequency 1: one fit() = one averaging round;</li>
 *   <li>{@code summary}: reads the JSON lines of a run (including the Aeron sample's lines the
 *       script writes) and prints the table with the ratios.</li>
 * </ul>
 *
 * <p>Every measurement is one JSON line on stdout ({@code "kind": "round"} per round, warm-up
 * included and flagged; {@code "kind": "config"} with the medians). Times in ms, sizes in bytes,
 * rates in MB/s with MB = 10^6 bytes.
 *
 * <p>Usage: {@code AveragingRoundBenchmark floor|ps|spark|summary [--floats 62378344] [--workers 2,4,8]
 * [--transport udp|ipc] [--shards 1] [--rounds 3] [--warmup 1] [--chunk-bytes 2097152]
 * [--spark-model paper|small] [--in results.jsonl]}.
 */
public final class AveragingRoundBenchmark {

    /** Single-tower AlexNet (ModelSpec.paper(ALEXNET_SINGLE)). */
    static final long ALEXNET_FLOATS = 62_378_344L;
    private static final double MB = 1e6;

    private AveragingRoundBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: AveragingRoundBenchmark floor|ps|spark|summary [options]");
        }
        Map<String, String> o = options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "floor" -> floor(o);
            case "ps" -> paramServer(o);
            case "spark" -> spark(o);
            case "summary" -> summary(o);
            default -> throw new IllegalArgumentException("unknown part " + args[0]);
        }
    }

    // ------------------------------------------------------------------ (a) in-memory floor

    static void floor(Map<String, String> o) {
        long floats = floats(o);
        int[] workers = workers(o);
        int rounds = intOpt(o, "rounds", 3);
        int warmup = intOpt(o, "warmup", 1);
        if (floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("the floor uses Java arrays: at most 2^31 floats");
        }
        int n = (int) floats;
        int maxN = Arrays.stream(workers).max().orElse(2);
        float[][] v = new float[maxN][];
        for (int w = 0; w < maxN; w++) {
            v[w] = new float[n];
            fill(v[w], w);
        }
        float[] out = new float[n];
        // JIT warm-up of the kernel on a small slice, so the timed calls run compiled code rather than an OSR loop.
        float[][] small = new float[maxN][];
        for (int w = 0; w < maxN; w++) {
            small[w] = Arrays.copyOf(v[w], Math.min(n, 1 << 16));
        }
        float[] smallOut = new float[small[0].length];
        for (int i = 0; i < 300; i++) {
            average(small, 1 + i % maxN, smallOut);
        }

        double[] copy = new double[rounds];
        for (int r = -warmup; r < rounds; r++) {
            long t0 = System.nanoTime();
            System.arraycopy(v[0], 0, out, 0, n);
            double ms = ms(System.nanoTime() - t0);
            if (r >= 0) {
                copy[r] = ms;
            }
            emit(line("floor", "round").put("op", "memcpy").put("round", r).put("warmup", r < 0).put("ms", ms)
                .put("bytes", 4L * n));
        }
        double memcpyMs = median(copy);
        for (int wN : workers) {
            double[] avg = new double[rounds];
            for (int r = -warmup; r < rounds; r++) {
                long t0 = System.nanoTime();
                average(v, wN, out);
                double ms = ms(System.nanoTime() - t0);
                if (r >= 0) {
                    avg[r] = ms;
                }
                emit(line("floor", "round").put("op", "average").put("workers", wN).put("round", r).put("warmup", r < 0)
                    .put("ms", ms).put("checksum", out[n / 2]));
            }
            double avgMs = median(avg);
            // The floor of a round: read N vectors and write their average, then hand each of the N
            // workers its copy (N memcpys): the same bytes a round moves (N in, N out).
            emit(line("floor", "config").put("floats", floats).put("bytes", 4L * n).put("workers", wN)
                .put("memcpy_ms", memcpyMs).put("average_ms", avgMs).put("floor_ms", avgMs + wN * memcpyMs)
                .put("floor_def", "average(N) + N*memcpy, one thread")
                .put("memcpy_mb_s", 4.0 * n / MB / (memcpyMs / 1e3))
                .put("average_read_mb_s", 4.0 * n * wN / MB / (avgMs / 1e3)));
        }
    }

    /** out = (v[0] + ... + v[n-1]) / n, float32, blocked so the inner loops vectorise and the sums stay in L1. */
    static void average(float[][] v, int n, float[] out) {
        final int block = 4096;
        float inv = 1.0f / n;
        int len = out.length;
        for (int b = 0; b < len; b += block) {
            int end = Math.min(len, b + block);
            float[] v0 = v[0];
            for (int i = b; i < end; i++) {
                out[i] = v0[i];
            }
            for (int k = 1; k < n; k++) {
                float[] vk = v[k];
                for (int i = b; i < end; i++) {
                    out[i] += vk[i];
                }
            }
            for (int i = b; i < end; i++) {
                out[i] *= inv;
            }
        }
    }

    private static void fill(float[] a, int seed) {
        // Finite, varied values; cheap to generate (the content does not matter for timing).
        for (int i = 0; i < a.length; i++) {
            a[i] = ((i * 31 + seed * 7919) % 2003) * 1e-3f - 1.0f;
        }
    }

    // ------------------------------------------------------------------ our parameter server

    static void paramServer(Map<String, String> o) throws Exception {
        long floats = floats(o);
        int n = workers(o)[0];
        Channel.Transport transport = Channel.Transport.valueOf(o.getOrDefault("transport", "udp").toUpperCase(Locale.ROOT));
        int shards = intOpt(o, "shards", 1);
        int rounds = intOpt(o, "rounds", 3);
        int warmup = intOpt(o, "warmup", 1);
        int chunk = intOpt(o, "chunk-bytes", JobSpec.DEFAULT_CHUNK_BYTES);
        int term = intOpt(o, "term-length", Channel.DEFAULT_TERM_LENGTH);
        MacAlgorithm mac = o.containsKey("mac") ? MacAlgorithm.parse(o.get("mac")) : JobSpec.DEFAULT_MAC;

        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        String tag = UUID.randomUUID().toString();
        String serverDir = "/dev/shm/alexnet-bench-ps-" + tag;
        String workerDir = transport == Channel.Transport.UDP ? "/dev/shm/alexnet-bench-ps-workers-" + tag : serverDir;
        Thread cleanup = new Thread(() -> deleteQuietly(serverDir, workerDir), "bench-aeron-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);

        Channel channel = (transport == Channel.Transport.IPC ? Channel.ipc() : Channel.udp("127.0.0.1", freePortRange(2 * shards)))
            .withTermLength(term);
        JobSpec job = new JobSpec(ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE), secret, floats, n, shards, chunk, channel,
            mac);
        List<ShardRoundStats> serverStats = new CopyOnWriteArrayList<>();
        ParameterServer server = null;
        MediaDriver workerDriver = null;
        List<ParameterClient> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            server = new ParameterServer(new ServerConfig(job, n, Duration.ofMinutes(5), AeronSetup.embedded(serverDir)),
                serverStats::add).start();
            if (transport == Channel.Transport.UDP) {
                workerDriver = AeronConnection.launchDriver(workerDir);
            }
            ByteBuffer[] params = new ByteBuffer[n];
            for (int w = 0; w < n; w++) {
                clients.add(new ParameterClient(new ClientConfig(job, w, "127.0.0.1", Duration.ofMinutes(5), Duration.ofMinutes(2),
                    AeronSetup.external(workerDir))));
                params[w] = ByteBuffer.allocateDirect(Math.toIntExact(4 * floats)).order(ByteOrder.LITTLE_ENDIAN);
                FloatBuffer f = params[w].asFloatBuffer();
                for (int i = 0; i < floats; i++) {
                    f.put(i, ((i * 31 + w * 7919) % 2003) * 1e-3f - 1.0f);
                }
            }

            List<double[]> measured = new ArrayList<>(); // {total, push, wait, pull, bytes, serverAverage}
            for (int r = 0; r < warmup + rounds; r++) {
                long round = r;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<RoundStats>> results = new ArrayList<>();
                for (int w = 0; w < n; w++) {
                    ParameterClient c = clients.get(w);
                    ByteBuffer p = params[w];
                    results.add(pool.submit(() -> {
                        go.await();
                        return c.pushAndAwait(round, p);
                    }));
                }
                Map<String, Long> cpuBefore = cpuByRole();
                long t0 = System.nanoTime();
                go.countDown();
                RoundStats[] stats = new RoundStats[n];
                for (int w = 0; w < n; w++) {
                    stats[w] = results.get(w).get(10, TimeUnit.MINUTES);
                }
                double total = ms(System.nanoTime() - t0);
                Map<String, Long> cpuAfter = cpuByRole();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (serverStats.stream().filter(s -> s.round() == round).count() < shards && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                double push = 0;
                double wait = 0;
                double pull = 0;
                long bytes = 0;
                int minContrib = Integer.MAX_VALUE;
                for (RoundStats s : stats) {
                    push = Math.max(push, ms(s.pushNanos()));
                    wait = Math.max(wait, ms(s.waitNanos()));
                    pull = Math.max(pull, ms(s.pullNanos()));
                    bytes += s.bytesOut() + s.bytesIn();
                    minContrib = Math.min(minContrib, s.minContributors());
                }
                double srvAvg = serverStats.stream().filter(s -> s.round() == round).mapToLong(ShardRoundStats::averageNanos)
                    .max().stream().mapToDouble(AveragingRoundBenchmark::ms).findFirst().orElse(Double.NaN);
                double srvSend = serverStats.stream().filter(s -> s.round() == round).mapToLong(ShardRoundStats::sendNanos)
                    .max().stream().mapToDouble(AveragingRoundBenchmark::ms).findFirst().orElse(Double.NaN);
                boolean isWarmup = r < warmup;
                emit(psLine("round", transport, shards, n, floats, chunk).put("mac", mac.name()).put("round", r).put("warmup", isWarmup)
                    .put("total_ms", total).put("push_ms", push).put("wait_ms", wait).put("pull_ms", pull)
                    .put("bytes_moved", bytes).put("server_average_ms", srvAvg).put("server_send_ms", srvSend)
                    .put("min_contributors", minContrib).put("cpu_ms", cpuDelta(cpuBefore, cpuAfter)));
                if (minContrib != n) {
                    throw new IllegalStateException("round " + r + " averaged over " + minContrib + " of " + n + " workers");
                }
                if (!isWarmup) {
                    measured.add(new double[] {total, push, wait, pull, bytes, srvAvg});
                }
            }
            double total = medianOf(measured, 0);
            double bytes = medianOf(measured, 4);
            emit(psLine("config", transport, shards, n, floats, chunk).put("mac", mac.name())
                .put("rounds", rounds).put("total_ms", total).put("push_ms", medianOf(measured, 1))
                .put("wait_ms", medianOf(measured, 2)).put("pull_ms", medianOf(measured, 3))
                .put("server_average_ms", medianOf(measured, 5)).put("bytes_moved", (long) bytes)
                .put("mb_s", bytes / MB / (total / 1e3)).put("server_drops", server.drops().total())
                .put("worker_drivers", transport == Channel.Transport.UDP ? 1 : 0)
                .put("all_rounds_ms", Arrays.toString(measured.stream().mapToDouble(m -> m[0]).toArray())));
        } finally {
            pool.shutdownNow();
            for (ParameterClient c : clients) {
                closeQuietly(c);
            }
            closeQuietly(workerDriver);
            closeQuietly(server);
            deleteQuietly(serverDir, workerDir);
        }
    }

    /** CPU time (ns) of this JVM's threads so far, by role: workers, shards, drivers, the rest. */
    private static Map<String, Long> cpuByRole() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        Map<String, Long> byRole = new TreeMap<>();
        for (java.lang.management.ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t == null) {
                continue;
            }
            long cpu = mx.getThreadCpuTime(t.getThreadId());
            if (cpu < 0) {
                continue;
            }
            String name = t.getThreadName();
            String role = name.startsWith("pool-") ? "workers" : name.startsWith("paramserver-shard") ? "shards"
                : name.contains("driver-conductor") || name.contains("sender") || name.contains("receiver") ? "drivers"
                : name.endsWith("-drain") ? "drainers" : name.contains("aeron-client") ? "aeron_clients" : "other";
            byRole.merge(role, cpu, Long::sum);
        }
        return byRole;
    }

    private static String cpuDelta(Map<String, Long> before, Map<String, Long> after) {
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Long> e : after.entrySet()) {
            long d = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            b.append(b.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(Math.round(d / 1e6));
        }
        return b.toString();
    }

    private static Json psLine(String kind, Channel.Transport transport, int shards, int n, long floats, int chunk) {
        return line("paramserver", kind).put("transport", transport.name().toLowerCase(Locale.ROOT)).put("shards", shards)
            .put("workers", n).put("floats", floats).put("bytes", 4 * floats).put("chunk_bytes", chunk);
    }

    /** A base port with {@code n} consecutive free UDP ports on 127.0.0.1 (as the module's TestCluster does). */
    static int freePortRange(int n) {
        for (int attempt = 0; attempt < 200; attempt++) {
            int base = ThreadLocalRandom.current().nextInt(20000, 60000 - n);
            boolean free = true;
            for (int p = base; p < base + n && free; p++) {
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), p))) {
                    s.getLocalPort();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no free port range of " + n);
    }

    // ------------------------------------------------------------------ (b) DL4J + Spark

    /**
     * One fit() of a ParameterAveragingTrainingMaster over N one-example partitions with
     * batchSizePerWorker 1 and averagingFrequency 1 is one averaging round: broadcast of the
     * parameters, N workers fit one batch each, treeAggregate of their parameters, division on the
     * driver. saveUpdater(false): parameters only, as our server averages (the updater state would
     * double the bytes). The averaging cost is reported as fit() wall time minus the slowest worker's
     * own fit time (from the master's training stats), with the stats' components beside it.
     */
    static void spark(Map<String, String> o) throws Exception {
        int n = workers(o)[0];
        int rounds = intOpt(o, "rounds", 3);
        int warmup = intOpt(o, "warmup", 1);
        String model = o.getOrDefault("spark-model", "paper");
        ModelSpec spec = model.equals("paper") ? ModelSpec.paper(AlexNetVariant.ALEXNET_SINGLE) : smallSpec();
        // The training stats timestamp events with DL4J's NTP time source by default, which queries
        // 0.pool.ntp.org: loopback only here, so the system clock (one JVM, one clock anyway).
        System.setProperty("org.deeplearning4j.spark.time.TimeSource", "org.deeplearning4j.spark.time.SystemClockTimeSource");
        Path localDir = Files.createTempDirectory("alexnet-bench-spark-");
        SparkConf conf = new SparkConf()
            .setMaster("local[" + n + "]")
            .setAppName("alexnet-averaging-round-bench")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.ui.enabled", "false")
            .set("spark.local.dir", localDir.toString())
            // N task results of ~250 MB each come back to the driver in the aggregation.
            .set("spark.driver.maxResultSize", "0");
        JavaSparkContext sc = new JavaSparkContext(conf);
        try {
            ComputationGraph net = new AlexNetFactory(spec, TrainingRecipe.paper(), WorkspaceMode.ENABLED, LayerImplementation.NATIVE)
                .newNetwork();
            long params = net.numParams();
            ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(1)
                .batchSizePerWorker(1)
                .averagingFrequency(1)
                .workerPrefetchNumBatches(0)
                .saveUpdater(false)
                .repartionData(Repartition.Never)
                // Direct: the default (Export) writes the DataSets to /tmp/hadoop-<user>/dl4j/ on every
                // fit() (time that is not averaging, and files left behind).
                .rddTrainingApproach(RDDTrainingApproach.Direct)
                .collectTrainingStats(true)
                .rngSeed(1)
                .build();
            SparkComputationGraph sparkNet = new SparkComputationGraph(sc, net, master);
            sparkNet.setCollectTrainingStats(true);
            List<DataSet> batches = new ArrayList<>();
            Nd4j.getRandom().setSeed(7);
            for (int w = 0; w < n; w++) {
                INDArray x = Nd4j.rand(DataType.FLOAT, 1, spec.inputChannels(), spec.inputHeight(), spec.inputWidth());
                INDArray y = Nd4j.zeros(DataType.FLOAT, 1, spec.classes());
                y.putScalar(0, w % spec.classes(), 1.0);
                batches.add(new DataSet(x, y));
            }
            JavaRDD<DataSet> data = sc.parallelize(batches, n).cache();
            data.count();

            Map<String, Integer> seen = new HashMap<>();
            List<double[]> measured = new ArrayList<>(); // {fit, workerFitMax, averaging}
            for (int r = 0; r < warmup + rounds; r++) {
                long t0 = System.nanoTime();
                sparkNet.fit(data);
                double fit = ms(System.nanoTime() - t0);
                Map<String, List<EventStats>> fresh = freshStats(sparkNet.getSparkTrainingStats(), seen);
                Json stats = new Json();
                double workerFitMax = 0;
                for (Map.Entry<String, List<EventStats>> e : fresh.entrySet()) {
                    long sum = e.getValue().stream().mapToLong(EventStats::getDurationMs).sum();
                    long max = e.getValue().stream().mapToLong(EventStats::getDurationMs).max().orElse(0);
                    stats.put(e.getKey(), new Json().put("n", e.getValue().size()).put("sum_ms", sum).put("max_ms", max));
                    if (e.getKey().equals("ParameterAveragingWorkerFitTimesMs")) {
                        workerFitMax = Math.max(workerFitMax, max);
                    }
                }
                double averaging = fit - workerFitMax;
                boolean isWarmup = r < warmup;
                emit(line("spark", "round").put("workers", n).put("model", model).put("params", params).put("round", r)
                    .put("warmup", isWarmup).put("fit_ms", fit).put("worker_fit_max_ms", workerFitMax)
                    .put("averaging_ms", averaging).put("stats", stats));
                if (!isWarmup) {
                    measured.add(new double[] {fit, workerFitMax, averaging});
                }
            }
            emit(line("spark", "config").put("workers", n).put("model", model).put("params", params)
                .put("bytes", 4 * params).put("rounds", rounds)
                .put("fit_ms", medianOf(measured, 0)).put("worker_fit_max_ms", medianOf(measured, 1))
                .put("averaging_ms", medianOf(measured, 2))
                .put("averaging_def", "fit() wall - slowest worker's fit time (training stats); saveUpdater=false, RDD approach Direct"));
        } finally {
            sc.stop();
            deleteQuietly(localDir.toString());
        }
    }

    /** The stats entries added since the last call, by key, over the master's stats and its workers' (nested). */
    private static Map<String, List<EventStats>> freshStats(SparkTrainingStats root, Map<String, Integer> seen) {
        Map<String, List<EventStats>> out = new TreeMap<>();
        List<SparkTrainingStats> all = new ArrayList<>();
        collect(root, all);
        for (SparkTrainingStats s : all) {
            for (String key : s.getKeySet()) {
                if (out.containsKey(key)) {
                    continue;
                }
                List<EventStats> list;
                try {
                    list = s.getValue(key);
                } catch (RuntimeException e) {
                    continue;
                }
                if (list == null) {
                    continue;
                }
                int before = seen.getOrDefault(key, 0);
                // Lists grow across fit() calls; if one was replaced instead, take it whole.
                List<EventStats> fresh = list.size() >= before ? list.subList(before, list.size()) : list;
                seen.put(key, list.size());
                out.put(key, new ArrayList<>(fresh));
            }
        }
        return out;
    }

    private static void collect(SparkTrainingStats s, List<SparkTrainingStats> into) {
        if (s == null || into.contains(s)) {
            return;
        }
        into.add(s);
        collect(s.getNestedTrainingStats(), into);
        if (s instanceof org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingMasterStats m) {
            collect(m.getWorkerStats(), into);
        }
    }

    /** A tiny network of the paper's shape (as the trainer's tests use) for smoke runs: seconds, not minutes. */
    static ModelSpec smallSpec() {
        return new ModelSpec(AlexNetVariant.ALEXNET_2012, 32, 32, 3, 4,
            List.of(new ConvSpec(8, 5, 1, 2), new ConvSpec(16, 5, 1, 2), new ConvSpec(16, 3, 1, 1),
                new ConvSpec(16, 3, 1, 1), new ConvSpec(8, 3, 1, 1)),
            3, 2, 32, 0.5, LrnSpec.paper(), 0.08, Set.of("conv2", "conv4", "conv5", "fc6", "fc7"));
    }

    // ------------------------------------------------------------------ summary

    /**
     * Reads a run's JSON lines and prints, per parameter-server configuration: push / wait / pull /
     * total, bytes moved, and the ratios round / floor, round / transport ceiling, Spark / ours.
     */
    static void summary(Map<String, String> o) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> configs = new ArrayList<>();
        try (Stream<String> lines = Files.lines(Path.of(o.get("in")))) {
            for (String l : (Iterable<String>) lines::iterator) {
                if (l.startsWith("{")) {
                    JsonNode node = json.readTree(l);
                    if ("config".equals(node.path("kind").asText())) {
                        configs.add(node);
                    }
                }
            }
        }
        Map<Integer, Double> floorMs = new HashMap<>();
        Map<Integer, Double> sparkMs = new HashMap<>();
        Map<String, Double> aeronMbs = new HashMap<>();
        for (JsonNode c : configs) {
            switch (c.path("part").asText()) {
                case "floor" -> floorMs.put(c.get("workers").asInt(), c.get("floor_ms").asDouble());
                case "spark" -> sparkMs.put(c.get("workers").asInt(), c.get("averaging_ms").asDouble());
                case "aeron-sample" -> aeronMbs.put(c.get("transport").asText(), c.get("mb_s").asDouble());
                default -> { }
            }
        }
        System.out.println("# one averaging round, median of the measured rounds; times in ms, MB = 10^6 bytes");
        System.out.println("# floor = average(N) + N*memcpy (one thread); ceiling = bytes / Aeron sample MB/s,"
            + " with bytes = measured bytes moved, and (brief) 4*N*vector bytes");
        System.out.println("# push/wait/pull: the slowest worker's each (they need not add up to total = wall time of the round);"
            + " x_* = round / reference; spark/us = Spark averaging / our round");
        System.out.printf(Locale.ROOT, "%-4s %6s %3s %9s %9s %9s %9s %9s %9s %8s %10s %10s %9s %9s%n",
            "tr", "shards", "N", "push", "wait", "pull", "total", "MB_moved", "floor", "x_floor", "x_ceil_mv",
            "x_ceil_4NV", "spark", "spark/us");
        for (JsonNode c : configs) {
            if (!"paramserver".equals(c.path("part").asText())) {
                continue;
            }
            int n = c.get("workers").asInt();
            String tr = c.get("transport").asText();
            double total = c.get("total_ms").asDouble();
            double moved = c.get("bytes_moved").asDouble();
            double vector = c.get("bytes").asDouble();
            Double floor = floorMs.get(n);
            Double rate = aeronMbs.get(tr);
            Double spark = sparkMs.get(n);
            System.out.printf(Locale.ROOT, "%-4s %6d %3d %9.1f %9.1f %9.1f %9.1f %9.1f %9s %8s %10s %10s %9s %9s%n",
                tr, c.get("shards").asInt(), n, c.get("push_ms").asDouble(), c.get("wait_ms").asDouble(),
                c.get("pull_ms").asDouble(), total, moved / MB,
                fmt(floor, "%.1f"), floor == null ? "-" : fmt(total / floor, "%.2f"),
                rate == null ? "-" : fmt(total / (moved / MB / rate * 1e3), "%.2f"),
                rate == null ? "-" : fmt(total / (4 * n * vector / MB / rate * 1e3), "%.2f"),
                fmt(spark, "%.1f"), spark == null ? "-" : fmt(spark / total, "%.2f"));
        }
        aeronMbs.forEach((k, v) -> System.out.printf(Locale.ROOT, "# Aeron EmbeddedThroughput %s: %.1f MB/s%n", k, v));
        boolean smallSpark = false;
        boolean smallVector = false;
        for (JsonNode c : configs) {
            String part = c.path("part").asText();
            if ("spark".equals(part)) {
                System.out.printf(Locale.ROOT, "# Spark local[%d] (%s model, %d params): fit %.1f ms, slowest worker fit %.1f ms,"
                        + " averaging %.1f ms%n", c.get("workers").asInt(), c.get("model").asText(), c.get("params").asLong(),
                    c.get("fit_ms").asDouble(), c.get("worker_fit_max_ms").asDouble(), c.get("averaging_ms").asDouble());
                smallSpark |= c.get("params").asLong() != ALEXNET_FLOATS;
            }
            smallVector |= "paramserver".equals(part) && c.get("floats").asLong() != ALEXNET_FLOATS;
        }
        if (smallSpark) {
            System.out.println("# NOTE: the Spark part did not average the paper's 62,378,344 parameters: spark/us is not like for like");
        }
        if (smallVector) {
            System.out.println("# NOTE: our rounds used a vector other than the real model size (smoke run)");
        }
    }

    private static String fmt(Double v, String f) {
        return v == null || v.isNaN() ? "-" : String.format(Locale.ROOT, f, v);
    }

    // ------------------------------------------------------------------ helpers

    /** {@code --name value} pairs, as every benchmark program here takes them after its mode. */
    static Map<String, String> options(String[] args) {
        Map<String, String> o = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got " + args[i]);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        return o;
    }

    private static long floats(Map<String, String> o) {
        return Long.parseLong(o.getOrDefault("floats", Long.toString(ALEXNET_FLOATS)));
    }

    private static int[] workers(Map<String, String> o) {
        return Arrays.stream(o.getOrDefault("workers", "2,4,8").split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    }

    private static int intOpt(Map<String, String> o, String name, int dflt) {
        return o.containsKey(name) ? Integer.parseInt(o.get(name)) : dflt;
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double medianOf(List<double[]> rows, int col) {
        return median(rows.stream().mapToDouble(r -> r[col]).toArray());
    }

    private static Json line(String part, String kind) {
        return new Json().put("bench", "averaging-round").put("part", part).put("kind", kind);
    }

    private static void emit(Json j) {
        System.out.println(j);
        System.out.flush();
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            System.err.println("close failed: " + e);
        }
    }

    private static void deleteQuietly(String... dirs) {
        for (String d : dirs) {
            Path p = Path.of(d);
            if (!Files.exists(p)) {
                continue;
            }
            try (Stream<Path> s = Files.walk(p)) {
                for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                System.err.println("could not delete " + d + ": " + e);
            }
        }
    }

    /** A flat, ordered JSON object: enough for these lines without a JSON library on the hot side. */
    static final class Json {
        private final Map<String, Object> fields = new LinkedHashMap<>();

        Json put(String key, Object value) {
            fields.put(key, value);
            return this;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<String, Object> e : fields.entrySet()) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(quote(e.getKey())).append(": ").append(value(e.getValue()));
            }
            return b.append('}').toString();
        }

        private static String value(Object v) {
            if (v == null) {
                return "null";
            }
            if (v instanceof Double d) {
                return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d);
            }
            if (v instanceof Float f) {
                return f.isNaN() || f.isInfinite() ? "null" : Float.toString(f);
            }
            if (v instanceof Number || v instanceof Boolean || v instanceof Json) {
                return v.toString();
            }
            return quote(v.toString());
        }

        private static String quote(String s) {
            return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
    }
}
