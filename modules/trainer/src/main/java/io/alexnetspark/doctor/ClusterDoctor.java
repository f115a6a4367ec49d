package io.alexnetspark.doctor;

import io.alexnetspark.train.TrainSettings;
import io.alexnetspark.train.aeron.BarrierStage;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;

import java.io.PrintWriter;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;

/**
 * {@code doctor --cluster}: what a long run needs of the cluster, checked from one barrier task per
 * replica before any training (the driver's own node: {@code doctor}'s checks before this one). The parameter server's UDP ports bound where
 * the placement puts them and reached from every executor (both ways), the driver's and each
 * executor's clock (skew beyond {@link #CLOCK_SKEW_LIMIT} makes logs and metrics of different hosts
 * disagree, and Kerberos and TLS refuse it), free shared memory for the Aeron term buffers, and
 * the job's storage reachable, readable and writable.
 */
public final class ClusterDoctor {

    /** Clock skew between hosts above this is reported as a failure. */
    public static final Duration CLOCK_SKEW_LIMIT = Duration.ofSeconds(1);

    private final JavaSparkContext sc;
    private final TrainSettings ts;
    private final Duration slotWait;

    /**
     * @param slotWait how long to wait for {@code job.replicas} task slots (a barrier stage needs them all at once)
     */
    public ClusterDoctor(JavaSparkContext sc, TrainSettings ts, Duration slotWait) {
        this.sc = sc;
        this.ts = ts;
        this.slotWait = slotWait;
    }

    /**
     * Runs the checks and prints one line per check to {@code out}.
     *
     * @return true when every check passed
     */
    public boolean run(PrintWriter out) throws Exception {
        boolean ok = true;
        String driverHost = sc.getConf().get("spark.driver.host", "127.0.0.1");
        out.printf("== Cluster: %s, %d replicas, parameter server placement %s, port %d%n", sc.master(), ts.replicas(),
            ts.placement().name().toLowerCase(Locale.ROOT), ts.port());

        List<UdpEcho> echoes = new ArrayList<>();
        try {
            if (ts.placement() == TrainSettings.Placement.DRIVER) {
                for (int p = ts.port(); p < ts.port() + 2 * ts.shards(); p++) {
                    try {
                        echoes.add(new UdpEcho(driverHost, p));
                    } catch (SocketException e) {
                        out.printf("driver %s: parameter server port %d (UDP) cannot be bound: %s: FAILED%n", driverHost, p, e.getMessage());
                        ok = false;
                    }
                }
            }
            UdpEcho clock = new UdpEcho(driverHost, 0);
            echoes.add(clock);
            long shmNeeded = SharedMemoryCheck.neededBytes(ts, SharedMemoryCheck.Role.EXECUTOR);
            ClusterProbeTask task = new ClusterProbeTask(ts.placement(), ts.port(), ts.shards(), driverHost, clock.port(), shmNeeded,
                ts.data(), ts.output());
            sc.setJobGroup("alexnet-doctor", "doctor --cluster: probes from every executor", true);
            JavaFutureAction<List<ExecutorReport>> stage = BarrierStage.mapPartitions(
                sc.parallelize(IntStream.range(0, ts.replicas()).boxed().toList(), ts.replicas()), task).collectAsync();
            List<ExecutorReport> reports;
            try {
                reports = stage.get(slotWait.toMillis() + 60_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                stage.cancel(true);
                out.printf("executors: no %d task slots at once within %d s (the job's epochs need as many): FAILED%n",
                    ts.replicas(), slotWait.toSeconds() + 60);
                out.flush();
                return false;
            }
            long maxSkew = 0;
            for (ExecutorReport r : reports.stream().sorted(Comparator.comparingInt(ExecutorReport::partition)).toList()) {
                String who = "executor " + r.partition() + " on " + r.host();
                for (String e : r.bindErrors()) {
                    out.printf("%s: its shard's port %s cannot be bound: FAILED%n", who, e);
                }
                if (!r.reached().isEmpty() || !r.unreachable().isEmpty()) {
                    double worst = r.reached().stream().mapToDouble(UdpProbe.Answer::rttMillis).max().orElse(0);
                    out.printf(Locale.ROOT, "%s: parameter server ports (UDP) reached %d of %d%s%s%n", who, r.reached().size(),
                        r.reached().size() + r.unreachable().size(),
                        r.reached().isEmpty() ? "" : String.format(Locale.ROOT, ", slowest round trip %.2f ms", worst),
                        r.unreachable().isEmpty() ? "" : "; NO ANSWER from " + r.unreachable() + " (a firewall? see deploy/cluster/README.md): FAILED");
                }
                if (r.clock() == null) {
                    out.printf("%s: the driver's clock probe (UDP %s:%d) was not answered: FAILED%n", who, driverHost, clock.port());
                } else {
                    long skew = Math.abs(r.clock().clockOffsetMillis());
                    maxSkew = Math.max(maxSkew, skew);
                    boolean skewOk = skew <= CLOCK_SKEW_LIMIT.toMillis();
                    ok &= skewOk;
                    out.printf(Locale.ROOT, "%s: clock %+d ms from the driver's (± %.1f ms)%s%n", who, -r.clock().clockOffsetMillis(),
                        r.clock().offsetUncertaintyMillis(), skewOk ? "" : ": more than " + CLOCK_SKEW_LIMIT.toMillis() + " ms: FAILED (run NTP or chrony)");
                }
                out.println(who + ": " + r.shm());
                for (StorageCheck.Result s : r.storage()) {
                    out.println(who + ": " + s);
                }
                ok &= r.ok();
            }
            out.printf("%d executors on %d hosts; largest clock skew %d ms%n", reports.size(),
                reports.stream().map(ExecutorReport::host).distinct().count(), maxSkew);
        } finally {
            echoes.forEach(UdpEcho::close);
        }
        out.flush();
        return ok;
    }
}
