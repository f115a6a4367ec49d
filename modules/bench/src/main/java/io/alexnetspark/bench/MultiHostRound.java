package io.alexnetspark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.Channel;
import io.alexnetspark.paramserver.ClientConfig;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServer;
import io.alexnetspark.paramserver.RoundStats;
import io.alexnetspark.paramserver.ServerConfig;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Issue 17's scaling benchmark, one process per host: averaging rounds of the whole parameter
 * vector between processes on distinct hosts (deploy/bench/scaling.sh puts each in a network
 * namespace of its own, on a rate-limited link), back to back, for the two placements of the
 * parameter server:
 * <ul>
 *   <li>{@code server}: the driver placement's server, all of the vector in one shard on the
 *       driver's host ({@code --host}), until {@code --rounds} rounds closed;</li>
 *   <li>{@code worker}: one replica's side of the driver placement: pushes to the server's host
 *       and waits for each average;</li>
 *   <li>{@code peer}: the executors placement: this host serves shard {@code --worker} of N (the
 *       shards' hosts are {@code --hosts}) and runs replica {@code --worker}, which pushes 1/N of
 *       the vector to every host's shard;</li>
 *   <li>{@code summary}: reads the JSON lines of a run and prints, per placement and N, the round
 *       time (the median interval between the moments the last replica received each round's
 *       average, warm-up rounds left out) beside the cost model's prediction for the link rate.</li>
 * </ul>
 * Every replica prints one JSON line per round with the nanoTime at which its push started and its
 * average arrived: one clock for all (the namespaces share the machine's monotonic clock).
 */
public final class MultiHostRound {

    private static final double MB = 1e6;

    private MultiHostRound() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> o = AveragingRoundBenchmark.options(Arrays.copyOfRange(args, 1, args.length));
        switch (args[0]) {
            case "server" -> server(o);
            case "worker" -> replica(o, false);
            case "peer" -> replica(o, true);
            case "summary" -> summary(o);
            default -> throw new IllegalArgumentException("unknown mode " + args[0] + ": server | worker | peer | summary");
        }
    }

    /** What every process of a run agrees on: the job (id, secret, shape) and the channel. */
    private static JobSpec job(Map<String, String> o, boolean sharded) throws IOException {
        int n = Integer.parseInt(o.get("workers"));
        Channel channel = Channel.udp(o.get("server-host"), Integer.parseInt(o.get("port")));
        if (sharded) {
            channel = channel.withShardHosts(List.of(o.get("hosts").split(",")));
        }
        byte[] secret = Files.readAllBytes(Path.of(o.get("secret-file")));
        return new JobSpec(Long.parseLong(o.get("job-id")), secret, Long.parseLong(o.get("floats")), n, sharded ? n : 1,
            JobSpec.DEFAULT_CHUNK_BYTES, channel, JobSpec.DEFAULT_MAC);
    }

    private static void server(Map<String, String> o) throws Exception {
        JobSpec job = job(o, false);
        int rounds = Integer.parseInt(o.get("rounds"));
        CountDownLatch closed = new CountDownLatch(rounds);
        try (ParameterServer server = new ParameterServer(new ServerConfig(job, job.workers(), Duration.ofMinutes(5),
                AeronSetup.embeddedFresh()), stats -> closed.countDown()).start()) {
            if (!closed.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the server closed " + (rounds - closed.getCount()) + " of " + rounds + " rounds in 30 min");
            }
            // The last round's averages are still on their way to the replicas: let them drain.
            Thread.sleep(Long.parseLong(o.getOrDefault("linger-ms", "20000")));
        }
    }

    private static void replica(Map<String, String> o, boolean peer) throws Exception {
        JobSpec job = job(o, peer);
        int w = Integer.parseInt(o.get("worker"));
        int rounds = Integer.parseInt(o.get("rounds"));
        String bind = o.get("bind");
        ByteBuffer params = ByteBuffer.allocateDirect(Math.toIntExact(4 * job.floats())).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer f = params.asFloatBuffer();
        for (int i = 0; i < job.floats(); i++) {
            f.put(i, ((i * 31 + w * 7919) % 2003) * 1e-3f - 1.0f);
        }
        AeronSetup aeron = AeronSetup.embeddedFresh();
        ParameterServer shard = null;
        if (peer) {
            // As a replica task of the executors placement: its shard starts the embedded driver, and
            // its client joins it.
            shard = new ParameterServer(new ServerConfig(job, job.workers(), Duration.ofMinutes(5), aeron)
                .serving(List.of(w)), stats -> { }).start();
            aeron = AeronSetup.external(aeron.aeronDir());
        }
        try (ParameterServer closeShard = shard;
             ParameterClient client = new ParameterClient(new ClientConfig(job, w, bind, Duration.ofMinutes(10),
                 Duration.ofMinutes(2), aeron))) {
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                RoundStats s = client.pushAndAwait(r, params);
                long end = System.nanoTime();
                long[] cpu = machineCpuJiffies();
                System.out.printf(Locale.ROOT, "{\"bench\": \"multihost-round\", \"placement\": \"%s\", \"workers\": %d, "
                        + "\"worker\": %d, \"host\": \"%s\", \"floats\": %d, \"rate\": \"%s\", \"mtu\": \"%s\", \"round\": %d, "
                        + "\"start_ns\": %d, \"end_ns\": %d, \"total_ms\": %.1f, \"bytes_out\": %d, \"bytes_in\": %d, "
                        + "\"contributors\": %d, \"cpu_busy_jiffies\": %d, \"cpu_total_jiffies\": %d}%n",
                    peer ? "executors" : "driver", job.workers(), w, bind, job.floats(), o.getOrDefault("rate", ""),
                    o.getOrDefault("mtu", ""), r, start, end, (end - start) / 1e6, s.bytesOut(), s.bytesIn(), s.minContributors(),
                    cpu[0], cpu[1]);
                System.out.flush();
            }
            if (peer) {
                // The other replicas may still be receiving this host's shard's last averages.
                Thread.sleep(Long.parseLong(o.getOrDefault("linger-ms", "20000")));
            }
        }
    }

    /**
     * Round time per (placement, N): for each round, the moment the last replica had its average;
     * the median interval between consecutive such moments after the warm-up. Beside it the cost
     * model: bytes through the busiest link, each direction on its own (the links are full duplex),
     * over the link rate.
     */
    private static void summary(Map<String, String> o) throws IOException {
        int warmup = Integer.parseInt(o.getOrDefault("warmup", "1"));
        double rateBytes = rateBytesPerSecond(o.get("rate"));
        ObjectMapper json = new ObjectMapper();
        Map<String, Map<Integer, Long>> lastEnd = new TreeMap<>();
        Map<String, Long> floatsOf = new HashMap<>();
        Map<String, Map<Integer, long[]>> cpuAt = new TreeMap<>();
        double sampleBytes = Double.NaN;
        for (String line : Files.readAllLines(Path.of(o.get("in")), StandardCharsets.UTF_8)) {
            if (!line.startsWith("{\"bench\": \"multihost-round\"")) {
                continue;
            }
            JsonNode n = json.readTree(line);
            if (!n.path("rate").asText().equals(o.get("rate"))) {
                continue;
            }
            if (n.path("kind").asText().equals("aeron-link-sample")) {
                sampleBytes = n.get("mb_s").asDouble() * MB;
                continue;
            }
            if (!n.has("round")) {
                continue;
            }
            String key = n.get("placement").asText() + " " + n.get("workers").asInt()
                + (n.path("mtu").asText().isEmpty() ? "" : " " + n.get("mtu").asText());
            if (n.get("worker").asInt() == 0 && n.has("cpu_busy_jiffies")) {
                cpuAt.computeIfAbsent(key, k -> new TreeMap<>()).put(n.get("round").asInt(),
                    new long[] {n.get("cpu_busy_jiffies").asLong(), n.get("cpu_total_jiffies").asLong()});
            }
            floatsOf.put(key, n.get("floats").asLong());
            lastEnd.computeIfAbsent(key, k -> new TreeMap<>()).merge(n.get("round").asInt(), n.get("end_ns").asLong(), Math::max);
        }
        for (Map.Entry<String, Map<Integer, Long>> e : lastEnd.entrySet()) {
            String placement = e.getKey().split(" ")[0];
            // key: placement, N and the MTU when recorded
            int n = Integer.parseInt(e.getKey().split(" ")[1]);
            List<Long> ends = new ArrayList<>(e.getValue().values());
            List<Double> intervals = new ArrayList<>();
            for (int r = warmup + 1; r < ends.size(); r++) {
                intervals.add((ends.get(r) - ends.get(r - 1)) / 1e6);
            }
            double model = floatsOf.get(e.getKey()) * 4.0;
            // driver: the server's link carries N models in and N out; executors: each host sends and
            // receives 2 (N-1)/N models (its replica's pushes to, and its shard's averages for, the others).
            double busiest = placement.equals("driver") ? n * model : 2.0 * (n - 1) / n * model;
            double predictedMs = busiest / rateBytes * 1e3;
            // The same with what Aeron's own sample got through one such link in this run.
            double samplePredictedMs = busiest / sampleBytes * 1e3;
            double measured = AveragingRoundBenchmark.median(intervals.stream().mapToDouble(Double::doubleValue).toArray());
            Map<Integer, long[]> cpu = cpuAt.getOrDefault(e.getKey(), Map.of());
            long[] from = cpu.get(warmup);
            long[] to = cpu.get(ends.size() - 1);
            double busy = from != null && to != null && to[1] > from[1] && from[0] >= 0
                ? (double) (to[0] - from[0]) / (to[1] - from[1]) : Double.NaN;
            System.out.printf(Locale.ROOT, "{\"bench\": \"multihost-round\", \"kind\": \"config\", \"placement\": \"%s\", "
                    + "\"workers\": %d, \"rate\": \"%s\", \"round_ms\": %.0f, \"predicted_ms\": %.0f, \"measured_over_predicted\": %.2f, "
                    + "\"predicted_at_aeron_sample_ms\": %.0f, \"measured_over_aeron_sample_prediction\": %.2f, "
                    + "\"busiest_link_mb\": %.1f, \"machine_cpu_busy\": %.2f, \"mtu\": \"%s\", \"intervals_ms\": \"%s\"}%n",
                placement, n, o.get("rate"), measured, predictedMs, measured / predictedMs, samplePredictedMs, measured / samplePredictedMs,
                busiest / MB, busy,
                e.getKey().split(" ").length > 2 ? e.getKey().split(" ")[2] : "",
                Arrays.toString(intervals.stream().mapToDouble(d -> Math.round(d)).toArray()));
        }
    }

    /**
     * The machine's CPU time so far, busy and in all (jiffies, /proc/stat's first line): every host
     * of the benchmark shares these cores, so this tells whether a round was held up by the links or
     * by the CPU. {-1, -1} where there is no /proc/stat.
     */
    static long[] machineCpuJiffies() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long total = 0;
            for (int i = 1; i < f.length && i <= 8; i++) {
                total += Long.parseLong(f[i]);
            }
            long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new long[] {total - idle, total};
        } catch (IOException | RuntimeException e) {
            return new long[] {-1, -1};
        }
    }

    /** tc's rate words: 1gbit, 2500mbit, 333mbit, in bytes per second. */
    static double rateBytesPerSecond(String rate) {
        String r = rate.toLowerCase(Locale.ROOT);
        double bits;
        if (r.endsWith("gbit")) {
            bits = Double.parseDouble(r.substring(0, r.length() - 4)) * 1e9;
        } else if (r.endsWith("mbit")) {
            bits = Double.parseDouble(r.substring(0, r.length() - 4)) * 1e6;
        } else if (r.endsWith("kbit")) {
            bits = Double.parseDouble(r.substring(0, r.length() - 4)) * 1e3;
        } else {
            throw new IllegalArgumentException("a rate in gbit, mbit or kbit, got " + rate);
        }
        return bits / 8;
    }
}
