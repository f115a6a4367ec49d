package io.alexnetspark.train;

import io.alexnetspark.TestNetworks;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

class ModelRegistryTest {

    @TempDir
    java.nio.file.Path tmp;

    private static ModelCard card(double top1, String valSet) {
        return new ModelCard(null, "alexnet-2012", 4, java.util.List.of("a", "b", "c", "d"), "train-m1", valSet, "cfg", top1, top1 / 2, null, null);
    }

    @Test
    void promotesOnlyWhenBetterByTheMarginAndTheModelLoads() throws IOException {
        ModelRegistry registry = new ModelRegistry(new Path(tmp.toUri().toString(), "registry"), new Configuration());
        ComputationGraph net = TestNetworks.smallFactory().newNetwork();
        assertThat(registry.production()).isEmpty();

        var v1 = registry.register(net, card(0.50, "val-1"));
        assertThat(registry.promoteIfBetter(v1, 0.01).promoted()).isTrue();

        var v2 = registry.register(net, card(0.45, "val-1"));
        ModelRegistry.Decision d2 = registry.promoteIfBetter(v2, 0.01);
        assertThat(d2.promoted()).isTrue();
        assertThat(d2.reason()).contains("v000002").contains("v000001");

        var v3 = registry.register(net, card(0.445, "val-1"));
        ModelRegistry.Decision d3 = registry.promoteIfBetter(v3, 0.01);
        assertThat(d3.promoted()).isFalse();
        assertThat(d3.production()).isEqualTo("v000002");
        assertThat(d3.reason()).contains("not better by more than the margin");

        var v4 = registry.register(net, card(0.10, "val-2"));
        assertThat(registry.promoteIfBetter(v4, 0.01).reason()).contains("different sets");

        assertThat(registry.production().orElseThrow().card().version()).isEqualTo("v000002");
        assertThat(registry.history()).extracting(r -> r.card().version())
                .containsExactly("v000001", "v000002", "v000003", "v000004");
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(
                tmp.resolve("registry/versions/v000002/model.zip").toFile(), false);
        assertThat(loaded.params()).isEqualTo(net.params());
        // Only the pointer and the versions folder (and Hadoop's local .crc files): no temporaries left.
        try (var s = Files.list(tmp.resolve("registry"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")))
                    .containsExactlyInAnyOrder("PRODUCTION", "versions");
        }
    }
}
