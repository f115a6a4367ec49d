package io.alexnetspark.train;

import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DevicePinningTest {

    @Test
    void readsTheFirstGpuAddressSparkAssigned() {
        assertThat(DevicePinning.assignedGpu(Map.of())).isEmpty();
        assertThat(DevicePinning.assignedGpu(Map.of("gpu", new ResourceInformation("gpu", new String[0])))).isEmpty();
        assertThat(DevicePinning.assignedGpu(Map.of("gpu", new ResourceInformation("gpu", new String[] {"3", "1"}))))
                .contains(3);
        assertThat(DevicePinning.assignedGpu(Map.of("fpga", new ResourceInformation("fpga", new String[] {"0"}))))
                .isEmpty();
    }

    @Test
    void aNonIndexAddressNamesTheDiscoveryScript() {
        assertThatThrownBy(() -> DevicePinning.assignedGpu(
                Map.of("gpu", new ResourceInformation("gpu", new String[] {"GPU-5b0c-uuid"}))))
                .hasMessageContaining("GPU-5b0c-uuid").hasMessageContaining("discoveryScript");
    }
}
