package io.alexnetspark.model.backend;

import io.alexnetspark.model.layers.LayerImplementation;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which implementation each kind of AlexNet layer runs on a given backend, from libnd4j's platform
 * helpers as shipped in 1.0.0-M2.1 (oneDNN: conv2d, conv2d_bp, lrn, maxpool2d(_bp), avgpool2d;
 * cuDNN: conv2d, conv2d_bp, maxpool2d(_bp), avgpool2d; no cuDNN LRN).
 */
public final class LayerPaths {

    private LayerPaths() {
    }

    /**
     * @param backend  CPU or CUDA
     * @param oneDnn   whether the CPU build has oneDNN and uses it (HAVE_ONEDNN, isUseONEDNN, helpers allowed)
     * @param cudnn    whether the CUDA build has cuDNN (HAVE_CUDNN, helpers allowed)
     * @param layers   native ops or DL4J's layers
     * @return layer kind -> "forward / backward" implementation
     */
    public static Map<String, String> describe(String backend, boolean oneDnn, boolean cudnn, LayerImplementation layers) {
        boolean cuda = "CUDA".equalsIgnoreCase(backend);
        String helper = cuda ? (cudnn ? "cuDNN" : "libnd4j CUDA kernel") : (oneDnn ? "oneDNN" : "libnd4j generic C++");
        String plain = cuda ? "libnd4j CUDA kernels" : "libnd4j generic C++";
        String gemm = cuda ? "cuBLAS" : "OpenBLAS sgemm";
        Map<String, String> out = new LinkedHashMap<>();
        if (layers == LayerImplementation.NATIVE) {
            out.put("conv", "conv2d -> " + helper + " / conv2d_bp -> " + helper
                    + " (conv1: weight gradient only, im2col + " + gemm + ")");
            String lrnForward = cuda ? "lrn -> libnd4j CUDA kernel (cuDNN has no LRN in libnd4j)" : "lrn -> " + helper;
            out.put("lrn", lrnForward + " / exact gradient: avgpool2d window sums -> " + helper + " + " + plain);
        } else {
            out.put("conv", "DL4J im2col + " + gemm + " (forward and backward)");
            out.put("lrn", "DL4J: a dozen ND4J element-wise ops (" + plain + "); approximate gradient");
        }
        out.put("maxpool", "maxpool2d -> " + helper + " / maxpool2d_bp -> " + helper);
        out.put("fc", "matmul -> " + gemm);
        return out;
    }
}
