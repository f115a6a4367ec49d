package io.alexnetspark.cli;

import io.alexnetspark.backend.BackendReport;
import io.alexnetspark.model.backend.GpuCompatibility;
import io.alexnetspark.model.config.JobSettings;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * Checks that this node can run the job: its GPUs (before ND4J is loaded, because an unsupported
 * GPU makes the CUDA backend fail while loading), the ND4J backend and its native helpers, and
 * which implementation each layer of the configured network runs here.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check this node: GPUs and their compute capability, the ND4J backend, oneDNN/cuDNN,",
                "and which implementation each layer runs here. Exit 3 when this node cannot run the job."})
final class DoctorCommand implements Callable<Integer> {

    /** Exit code when the node cannot run the job (unsupported GPU, backend mismatch). */
    static final int EXIT_UNSUPPORTED = 3;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

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
        out.flush();
        return 0;
    }

    private static String orNone(String v) {
        return v == null ? "none (provided by the cluster)" : v;
    }
}
