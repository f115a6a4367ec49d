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
import java.util.List;

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
        // Only the pointer's copy, the promotions and the versions: no staging files left.
        try (var s = Files.list(tmp.resolve("registry"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".crc")))
                    .containsExactlyInAnyOrder("PRODUCTION", "promotions", "versions");
        }
        try (var s = Files.list(tmp.resolve("registry/promotions"))) {
            assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")))
                    .containsExactlyInAnyOrder("p000001.json", "p000002.json");
        }
    }

    @Test
    void aPromotionJudgedAgainstAnOlderProductionIsRefusedAndChangesNothing() throws IOException {
        ModelRegistry registry = new ModelRegistry(new Path(tmp.toUri().toString(), "registry"), new Configuration());
        ComputationGraph net = TestNetworks.smallFactory().newNetwork();
        var v1 = registry.register(net, card(0.50, "val-1"));
        registry.promoteIfBetter(v1, 0.0);
        // A retrain judges production (v1) and trains for hours; meanwhile another one promotes v2.
        ModelRegistry.Judged judged = registry.judge();
        assertThat(judged).isEqualTo(new ModelRegistry.Judged(1, "v000001"));
        var v2 = registry.register(net, card(0.30, "val-1"));
        assertThat(registry.promoteIfBetter(v2, 0.0, java.util.OptionalDouble.of(0.50), registry.judge()).promoted()).isTrue();
        // The first one's candidate beats v1 but not necessarily v2: refused, production stays v2.
        var v3 = registry.register(net, card(0.40, "val-1"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() ->
                        registry.promoteIfBetter(v3, 0.0, java.util.OptionalDouble.of(0.50), judged))
                .isInstanceOf(ProductionChangedException.class)
                .hasMessageContaining("it was v000001, it is v000002 now");
        assertThat(registry.production().orElseThrow().card().version()).isEqualTo("v000002");
        assertThat(registry.history()).hasSize(3); // the candidate stays registered
    }

    @Test
    void concurrentRegistrationsAndPromotionsEachHaveOneWinner() throws Exception {
        Path root = new Path(tmp.toUri().toString(), "registry");
        ComputationGraph net = TestNetworks.smallFactory().newNetwork();
        int writers = 6;
        int rounds = 4;
        int registered = 0;
        int lostRegistrations = 0;
        int promoted = 0;
        int lostPromotions = 0;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < rounds; round++) {
                // Every writer reads production at the same moment, then all register and promote at once.
                ModelRegistry.Judged judged = new ModelRegistry(root, new Configuration()).judge();
                java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(writers);
                List<java.util.concurrent.Future<String>> outcomes = new java.util.ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    double top1 = 0.5 - 0.1 * round - 0.001 * w;
                    outcomes.add(pool.submit(() -> {
                        ModelRegistry mine = new ModelRegistry(root, new Configuration());
                        start.await();
                        // As retrain does: a registration that lost its number takes the next one.
                        ModelRegistry.Registered v = null;
                        int lost = 0;
                        while (v == null) {
                            try {
                                v = mine.register(net, card(top1, "val-1"));
                            } catch (io.alexnetspark.data.storage.AlreadyPublishedException e) {
                                assertThat(e).hasMessageContaining("registered by another writer");
                                lost++;
                            }
                        }
                        try {
                            return lost + (mine.promoteIfBetter(v, 0.0, java.util.OptionalDouble.of(1.0), judged).promoted()
                                    ? " promoted " + v.card().version() : " kept");
                        } catch (ProductionChangedException e) {
                            return lost + " lost-promotion";
                        }
                    }));
                }
                int promotedThisRound = 0;
                for (var f : outcomes) {
                    String[] o = f.get(2, java.util.concurrent.TimeUnit.MINUTES).split(" ");
                    lostRegistrations += Integer.parseInt(o[0]);
                    registered++;
                    {
                        if (o[1].equals("promoted")) {
                            promotedThisRound++;
                            assertThat(new ModelRegistry(root, new Configuration()).production().orElseThrow().card().version())
                                    .isEqualTo(o[2]);
                        } else {
                            assertThat(o[1]).isEqualTo("lost-promotion");
                            lostPromotions++;
                        }
                    }
                }
                // Every writer judged the same production: exactly one promotion wins the round.
                assertThat(promotedThisRound).as("round %d", round).isEqualTo(1);
                promoted += promotedThisRound;
            }
        } finally {
            pool.shutdownNow();
        }
        ModelRegistry registry = new ModelRegistry(root, new Configuration());
        // Nothing lost, nothing doubled: one folder per successful registration, each loads.
        assertThat(registry.history()).hasSize(registered);
        assertThat(registry.history()).extracting(r -> r.card().version()).doesNotHaveDuplicates();
        for (var r : registry.history()) {
            assertThat(ModelSerializer.restoreComputationGraph(new java.io.File(new java.net.URI(r.model().toString())), false)
                    .numParams()).isEqualTo(net.numParams());
        }
        assertThat(registry.judge().sequence()).isEqualTo(promoted);
        System.err.printf("registry races: %d writers x %d rounds: %d registered, %d lost the number race, "
                + "%d promoted (1 per round), %d lost the promotion race%n", writers, rounds, registered, lostRegistrations,
                promoted, lostPromotions);
    }
}
