package io.alexnetspark.backend;

import io.alexnetspark.model.backend.LayerPaths;

import io.alexnetspark.model.layers.LayerImplementation;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;

import java.util.Map;
import java.util.Properties;

/**
 * What the loaded ND4J backend really is: CPU or CUDA, whether its build has oneDNN or cuDNN, and
 * whether libnd4j's platform helpers are switched on. Loading this class loads ND4J's native code.
 *
 * @param backend      "CPU" or "CUDA"
 * @param backendClass the ND4J backend class
 * @param buildInfo    libnd4j's build description
 * @param helpers      whether libnd4j may use platform helpers at all
 * @param oneDnn       CPU: oneDNN compiled in and switched on
 * @param cudnn        CUDA: cuDNN compiled in
 * @param environment  ND4J's environment information (BLAS vendor, threads, devices, memory)
 */
public record BackendReport(String backend, String backendClass, String buildInfo, boolean helpers, boolean oneDnn,
                            boolean cudnn, Properties environment) {

    /** Reads the facts from the running backend. */
    public static BackendReport inspect() {
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        String backend = String.valueOf(env.getOrDefault("backend", "?"));
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        boolean helpers = Nd4j.getEnvironment().helpersAllowed();
        boolean oneDnn = "CPU".equalsIgnoreCase(backend) && build.contains("HAVE_ONEDNN") && helpers && cpuUsesOneDnn();
        boolean cudnn = "CUDA".equalsIgnoreCase(backend) && build.contains("HAVE_CUDNN") && helpers;
        return new BackendReport(backend, Nd4j.getBackend().getClass().getName(), build, helpers, oneDnn, cudnn, env);
    }

    /** Per layer kind, the implementation it runs with these facts. */
    public Map<String, String> layerPaths(LayerImplementation layers) {
        return LayerPaths.describe(backend, oneDnn, cudnn, layers);
    }

    /**
     * The CPU backend's oneDNN switch lives on its own bindings class (not on ND4J's Environment
     * interface), so it is read reflectively; ND4J_MKL_FALLBACK=true turns it off.
     */
    private static boolean cpuUsesOneDnn() {
        try {
            Class<?> env = Class.forName("org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu$Environment");
            Object instance = env.getMethod("getInstance").invoke(null);
            return (Boolean) env.getMethod("isUseONEDNN").invoke(instance);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
