package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChannelTest {

    @Test
    void everyUdpSocketIsOnAConcreteInterface() {
        Channel c = Channel.udp("127.0.0.1", 40100);
        assertThat(c.serverPushChannel(1)).isEqualTo("aeron:udp?endpoint=127.0.0.1:40102");
        assertThat(c.workerPushChannel(1, "127.0.0.1")).contains("endpoint=127.0.0.1:40102", "interface=127.0.0.1",
            "mtu=65504", "term-length=67108864");
        assertThat(c.serverAverageChannel(1)).contains("control=127.0.0.1:40103", "control-mode=dynamic", "fc=min");
        assertThat(c.workerAverageChannel(1, "127.0.0.1")).contains("endpoint=127.0.0.1:0", "control=127.0.0.1:40103");
        assertThat(c.pushStreamId(1)).isNotEqualTo(c.averageStreamId(1));
    }

    @Test
    void refusesWildcardsAndBadShapes() {
        assertThatThrownBy(() -> Channel.udp("0.0.0.0", 40100)).hasMessageContaining("concrete interface");
        assertThatThrownBy(() -> Channel.ipc().withTermLength(3_000_000)).hasMessageContaining("power of two");
    }

    @Test
    void chunksMustFitTheMaxMessageLength() {
        Channel small = Channel.ipc().withTermLength(1 << 20); // max message 128 KB
        assertThatThrownBy(() -> new JobSpec(1, TestCluster.SECRET, 1000, 2, 1, 128 * 1024, small))
            .hasMessageContaining("max message length");
        assertThat(new JobSpec(1, TestCluster.SECRET, 1000, 2, 1, 64 * 1024, small).chunkBytes()).isEqualTo(64 * 1024);
    }
}
