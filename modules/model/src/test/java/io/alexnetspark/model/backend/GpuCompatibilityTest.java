package io.alexnetspark.model.backend;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GpuCompatibilityTest {

    @Test
    void parsesNvidiaSmiAndRefusesHopper() {
        List<GpuCompatibility.Gpu> gpus = GpuCompatibility.parse("""
                0, Tesla T4, 7.5
                1, NVIDIA H100 80GB HBM3, 9.0
                2, NVIDIA L4, 8.9
                3, Tesla K40m, 3.5
                """);
        assertThat(gpus).extracting(GpuCompatibility.Gpu::name)
                .containsExactly("Tesla T4", "NVIDIA H100 80GB HBM3", "NVIDIA L4", "Tesla K40m");
        assertThat(gpus).extracting(GpuCompatibility.Gpu::supported).containsExactly(true, false, true, false);
        assertThat(gpus.get(1).verdict()).contains("NOT supported").contains("Hopper").contains("9.0");
        assertThat(gpus.get(3).verdict()).contains("NOT supported").contains("sm_37");
        assertThat(gpus.get(0).verdict()).endsWith("supported");
    }

    @Test
    void aNameWithACommaStaysWhole() {
        assertThat(GpuCompatibility.parse("0, Quadro RTX 8000, rev 2, 7.5").get(0).name()).isEqualTo("Quadro RTX 8000, rev 2");
    }

    @Test
    void garbageIsAClearError() {
        assertThatThrownBy(() -> GpuCompatibility.parse("0, Tesla T4, [N/A]"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compute capability");
    }

    @Test
    void layerPathsNameTheHelpers() {
        var cpu = LayerPaths.describe("CPU", true, false, io.alexnetspark.model.layers.LayerImplementation.NATIVE);
        assertThat(cpu.get("conv")).contains("oneDNN");
        assertThat(cpu.get("lrn")).startsWith("lrn -> oneDNN");
        var gpu = LayerPaths.describe("CUDA", false, true, io.alexnetspark.model.layers.LayerImplementation.NATIVE);
        assertThat(gpu.get("conv")).contains("cuDNN");
        assertThat(gpu.get("lrn")).contains("no LRN");
        assertThat(gpu.get("maxpool")).contains("cuDNN");
    }
}
