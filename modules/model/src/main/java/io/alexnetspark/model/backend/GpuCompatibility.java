package io.alexnetspark.model.backend;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Which GPUs ND4J's CUDA backend (nd4j-cuda-11.6 1.0.0-M2.1) can run on. Its libnd4jcuda.so has
 * machine code for sm_37 ... sm_86 and no PTX: it runs on compute capability 3.7 to 8.9 (8.9 runs
 * the 8.6 code) and cannot run on Hopper (9.0) or newer, where the backend fails while loading.
 * So the check reads the capability from {@code nvidia-smi}, before ND4J is touched.
 */
public final class GpuCompatibility {

    /** Lowest supported compute capability, times ten. */
    public static final int MIN_CAPABILITY = 37;
    /** Highest supported compute capability, times ten. */
    public static final int MAX_CAPABILITY = 89;

    /** One GPU as nvidia-smi reports it. */
    public record Gpu(int index, String name, int major, int minor) {

        public boolean supported() {
            int cc = major * 10 + minor;
            return cc >= MIN_CAPABILITY && cc <= MAX_CAPABILITY;
        }

        public String capability() {
            return major + "." + minor;
        }

        /** A one-line verdict for a person. */
        public String verdict() {
            if (supported()) {
                return String.format(Locale.ROOT, "GPU %d %s (compute capability %s): supported", index, name, capability());
            }
            String why = major * 10 + minor > MAX_CAPABILITY
                    ? "ND4J 1.0.0-M2.1 ships machine code up to sm_86 and no PTX, so it cannot run on Hopper (9.0) or newer"
                    : "ND4J 1.0.0-M2.1 ships machine code from sm_37 up";
            return String.format(Locale.ROOT, "GPU %d %s (compute capability %s): NOT supported: %s. "
                    + "Use nodes with compute capability 3.7-8.9 (K80, P100, V100, T4, A100, A10, L4, RTX 20/30/40).",
                    index, name, capability(), why);
        }
    }

    private GpuCompatibility() {
    }

    /**
     * Parses the output of {@code nvidia-smi --query-gpu=index,name,compute_cap --format=csv,noheader}.
     *
     * @throws IllegalArgumentException on a line that is not "index, name, major.minor"
     */
    public static List<Gpu> parse(String csv) {
        List<Gpu> gpus = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split(",");
            if (parts.length < 3) {
                throw new IllegalArgumentException("unexpected nvidia-smi line: " + line);
            }
            String cap = parts[parts.length - 1].trim();
            String name = String.join(",", java.util.Arrays.copyOfRange(parts, 1, parts.length - 1)).trim();
            String[] mm = cap.split("\\.");
            if (mm.length != 2) {
                throw new IllegalArgumentException("unexpected compute capability '" + cap + "' in: " + line);
            }
            gpus.add(new Gpu(Integer.parseInt(parts[0].trim()), name, Integer.parseInt(mm[0]), Integer.parseInt(mm[1])));
        }
        return gpus;
    }

    /**
     * The GPUs of this machine, or empty when nvidia-smi is not installed (no NVIDIA driver).
     *
     * @throws IOException when nvidia-smi exists but fails
     */
    public static Optional<List<Gpu>> detect() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("nvidia-smi", "--query-gpu=index,name,compute_cap", "--format=csv,noheader");
        pb.redirectErrorStream(true);
        Process p;
        try {
            p = pb.start();
        } catch (IOException notInstalled) {
            return Optional.empty();
        }
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("nvidia-smi did not answer within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for nvidia-smi", e);
        }
        if (p.exitValue() != 0) {
            throw new IOException("nvidia-smi failed (exit " + p.exitValue() + "): " + out.trim());
        }
        return Optional.of(parse(out));
    }
}
