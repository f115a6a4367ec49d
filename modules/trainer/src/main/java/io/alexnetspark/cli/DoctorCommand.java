package io.alexnetspark.cli;

import com.typesafe.config.Config;
import io.alexnetspark.backend.BackendReport;
import io.alexnetspark.doctor.ClusterDoctor;
import io.alexnetspark.doctor.SharedMemoryCheck;
import io.alexnetspark.doctor.StorageCheck;
import io.alexnetspark.spark.AlexNetKryoRegistrator;
import io.alexnetspark.train.TrainSettings;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.api.java.JavaSparkContext;
import io.alexnetspark.model.backend.GpuCompatibility;
import io.alexnetspark.model.config.JobSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Checks that this node can run the job: its GPUs (before ND4J is loaded, because an unsupported
 * GPU makes the CUDA backend fail while loading), the ND4J backend and its native helpers, which
 * implementation each layer of the configured network runs here, its free shared memory for the
 * Aeron term buffers and, when job.data / job.output are set, the job's storage. With
 * {@code --cluster} (under spark-submit), the same of every executor the job will get, and the
 * network between them: {@link ClusterDoctor}.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check this node: GPUs and their compute capability, the ND4J backend, oneDNN/cuDNN,",
                "which implementation each layer runs here, free /dev/shm for the parameter server's buffers and",
                "the job's storage (when job.data/job.output are set). With --cluster (under spark-submit), also every",
                "executor: the parameter server's UDP ports bound and reached, clock skew, /dev/shm and storage.",
                "Exit 3 when this node or the cluster cannot run the job."})
final class DoctorCommand implements Callable<Integer> {

    /** Exit code when the node cannot run the job (unsupported GPU, backend mismatch). */
    static final int EXIT_UNSUPPORTED = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--cluster", description = "Also check the cluster (run under spark-submit): one task per replica "
            + "probes the parameter server's ports, the driver's clock, /dev/shm and the storage from every executor.")
    boolean cluster;

    @Option(names = "--slot-wait", paramLabel = "SECONDS", defaultValue = "60",
            description = "With --cluster: how long to wait for job.replicas task slots at once (default ${DEFAULT-VALUE}).")
    int slotWaitSeconds;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        JobSettings settings = config.settings(List.of());
        BuildInfo build = new BuildInfo();
        boolean cudaBuild = build.get("nd4j.backend").contains("cuda");

        out.println("== GPUs (nvidia-smi)");
        Optional<List<GpuCompatibility.Gpu>> gpus = GpuCompatibility.detect();
        boolean unsupported = false;
        if (gpus.isEmpty() || gpus.get().isEmpty()) {
            out.println("no NVIDIA GPU or driver on this node");
            if (cudaBuild) {
                out.println("ERROR: this is the cuda build (nd4j-cuda-11.6) but the node has no usable GPU: use the CPU job jar");
                out.flush();
                return EXIT_UNSUPPORTED;
            }
        } else {
            for (GpuCompatibility.Gpu gpu : gpus.get()) {
                out.println(gpu.verdict());
                unsupported |= !gpu.supported();
            }
            if (!cudaBuild) {
                out.println("note: this is the CPU build; GPUs are used only by the cuda build (mvn -Pcuda package)");
            }
        }
        if (unsupported && cudaBuild) {
            out.println("ERROR: the ND4J CUDA backend cannot run on this node's GPU(s); not loading it.");
            out.flush();
            return EXIT_UNSUPPORTED;
        }

        out.println();
        out.println("== ND4J backend");
        out.printf("built with    %s (%s)%n", build.get("nd4j.backend"), build.get("nd4j.classifier"));
        BackendReport report = BackendReport.inspect();
        out.printf("running       %s (%s)%n", report.backend(), report.backendClass());
        out.printf("blas          %s, threads %s, cores %s%n", report.environment().get("blas.vendor"),
                report.environment().get("omp.threads"), report.environment().get("cores"));
        out.printf("helpers       %s; oneDNN %s; cuDNN %s%n", report.helpers() ? "allowed" : "FORBIDDEN (SD_FORBID_HELPERS?)",
                report.oneDnn() ? "on" : "off", report.cudnn() ? "on" : "off");
        Object devices = report.environment().get("cuda.devicesInformation");
        if (devices != null) {
            out.printf("devices       %s%n", devices);
        }

        out.println();
        out.printf("== Layers of %s (backend.layers = %s)%n", settings.model().variant(), settings.layers().configName());
        for (Map.Entry<String, String> e : report.layerPaths(settings.layers()).entrySet()) {
            out.printf("%-8s %s%n", e.getKey(), e.getValue());
        }

        out.println();
        out.println("== Versions");
        out.printf("spark %s, hadoop %s (on this classpath)%n", orNone(BuildInfo.runtimeSpark()), orNone(BuildInfo.runtimeHadoop()));

        out.println();
        out.println("== This node: shared memory and storage");
        Config cfg = config.load(List.of());
        TrainSettings.checkValues(cfg);
        boolean ok = true;
        boolean paths = !cfg.getString("job.data").isBlank() && !cfg.getString("job.output").isBlank();
        TrainSettings ts = paths ? TrainSettings.from(cfg) : null;
        if (paths) {
            for (SharedMemoryCheck.Role role : SharedMemoryCheck.Role.values()) {
                SharedMemoryCheck.Result shm = SharedMemoryCheck.check(ts, role);
                out.printf("as the %s: %s%n", role.name().toLowerCase(java.util.Locale.ROOT), shm);
                ok &= shm.ok();
            }
            for (StorageCheck.Result r : List.of(StorageCheck.readable(ts.data()), StorageCheck.writable(ts.output()))) {
                out.println(r);
                ok &= r.ok();
            }
        } else {
            out.println("job.data and job.output not set: storage and shared memory not checked (--set job.data=... --set job.output=...)");
        }
        out.flush();
        if (cluster) {
            out.println();
            if (!paths) {
                out.println("ERROR: --cluster needs job.data and job.output");
                out.flush();
                return EXIT_UNSUPPORTED;
            }
            ok &= checkCluster(ts, out);
        }
        out.println();
        out.println(ok ? "doctor: every check passed" : "doctor: some checks FAILED (above)");
        out.flush();
        return ok ? 0 : EXIT_UNSUPPORTED;
    }

    /** Starts (or joins) the Spark application spark-submit set up and runs {@link ClusterDoctor} in it. */
    private boolean checkCluster(TrainSettings ts, PrintWriter out) {
        SparkConf conf = AlexNetKryoRegistrator.applyTo(new SparkConf().setAppName("alexnet-spark doctor")
                .setIfMissing("spark.master", "local[" + ts.replicas() + "]").setIfMissing("spark.ui.enabled", "false"));
        boolean ownContext = SparkContext$.MODULE$.getActive().isEmpty();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkContext.getOrCreate(conf));
        try {
            boolean secured = sc.getConf().getBoolean("spark.authenticate", false)
                    && sc.getConf().getBoolean("spark.network.crypto.enabled", false);
            out.println("Spark's authentication and encryption: " + (secured ? "on"
                    : "OFF (train refuses a cluster master without them unless job.network-trusted = true)"));
            return new ClusterDoctor(sc, ts, Duration.ofSeconds(slotWaitSeconds)).run(out);
        } catch (Exception e) {
            out.println("ERROR: the cluster checks failed: " + e);
            out.flush();
            return false;
        } finally {
            if (ownContext) {
                sc.stop();
            }
        }
    }

    private static String orNone(String v) {
        return v == null ? "none (provided by the cluster)" : v;
    }
}
