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
        // Averages: no dynamic join; each worker names its endpoint in an authenticated HELLO.
        assertThatThrownBy(() -> c.serverAverageChannel(1)).hasMessageContaining("stream of its own");
        assertThat(c.workerAverageChannel(1, "127.0.0.1")).isEqualTo("aeron:udp?endpoint=127.0.0.1:0");
        assertThat(Channel.ipc().serverAverageChannel(0)).startsWith("aeron:ipc");
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

    @Test
    void shardsOnSeveralHostsEachHaveTheirOwnAddress() {
        Channel c = Channel.udp("10.0.0.5", 40100).withShardHosts(java.util.List.of("10.0.0.5", "10.0.0.6"));
        assertThat(c.hostOf(1)).isEqualTo("10.0.0.6");
        assertThat(c.serverPushChannel(1)).isEqualTo("aeron:udp?endpoint=10.0.0.6:40102");
        assertThat(c.workerPushChannel(1, "10.0.0.9")).contains("endpoint=10.0.0.6:40102", "interface=10.0.0.9");
        assertThat(c.workerAverageChannel(1, "10.0.0.9")).isEqualTo("aeron:udp?endpoint=10.0.0.9:0");
        assertThat(c.withTermLength(1 << 20).shardHosts()).isEqualTo(c.shardHosts());
        assertThatThrownBy(() -> new JobSpec(1, TestCluster.SECRET, 1000, 2, 3, 64 * 1024, c))
            .hasMessageContaining("2 shard hosts for 3 shards");
        assertThatThrownBy(() -> c.withShardHosts(java.util.List.of("10.0.0.5", "0.0.0.0"))).hasMessageContaining("concrete");
        assertThatThrownBy(() -> Channel.ipc().withShardHosts(java.util.List.of("a"))).hasMessageContaining("IPC");
        JobSpec job = new JobSpec(1, TestCluster.SECRET, 1000, 2, 2, 1024, c);
        assertThatThrownBy(() -> new ServerConfig(job, 2, java.time.Duration.ofSeconds(1), AeronSetup.embeddedFresh(),
            java.util.List.of(2))).hasMessageContaining("served shard 2");
        ServerConfig one = new ServerConfig(job, 2, java.time.Duration.ofSeconds(1), AeronSetup.embeddedFresh()).serving(java.util.List.of(1));
        assertThat(one.serves(1)).isTrue();
        assertThat(one.serves(0)).isFalse();
    }
}
