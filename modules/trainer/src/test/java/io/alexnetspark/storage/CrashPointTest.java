package io.alexnetspark.storage;

import io.alexnetspark.LoopbackHdfs;
import io.alexnetspark.TestNetworks;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.model.train.PlateauSchedule;
import io.alexnetspark.train.CheckpointState;
import io.alexnetspark.train.CheckpointStore;
import io.alexnetspark.train.EpochMetrics;
import io.alexnetspark.train.MetricsLog;
import io.alexnetspark.train.ModelCard;
import io.alexnetspark.train.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Every durable write path, killed at each of its mutating file-system operations in turn, on the
 * local file system and on HDFS: a reader afterwards sees the state before the write or after it,
 * never none and never a mix. The tallies are BENCHMARKS.md's RELIABILITY figures.
 */
class CrashPointTest {

    @TempDir
    static java.nio.file.Path tmp;
    private static MiniDFSCluster hdfs;
    private static final ComputationGraph NET = TestNetworks.smallFactory().newNetwork();

    @BeforeAll
    static void startHdfs() throws Exception {
        hdfs = LoopbackHdfs.start(tmp.resolve("hdfs"));
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) {
            hdfs.shutdown();
        }
    }

    /** One write path: the state before, the write, and what a reader sees ("old" or "new", else it fails). */
    private interface Scenario {
        void before(Path root, Configuration clean) throws Exception;

        void write(Path root, Configuration crashing) throws Exception;

        String observe(Path root, Configuration clean) throws Exception;
    }

    private record Tally(String path, String fs, int crashPoints, int sawOld, int sawNew) {
    }

    @Test
    void everyWritePathLeavesTheOldOrTheNewStateAtEveryCrashPoint() throws Exception {
        Map<String, Scenario> scenarios = new java.util.LinkedHashMap<>();
        scenarios.put("checkpoint write", checkpoint(false));
        scenarios.put("checkpoint rewrite", checkpoint(true));
        scenarios.put("metrics append", metrics());
        scenarios.put("manifest publish", manifest());
        scenarios.put("registry register", register());
        scenarios.put("promotion", promotion());
        Path local = new Path(tmp.resolve("local").toUri().toString());
        Path remote = new Path(hdfs.getURI().toString() + "/crash");
        List<Tally> tallies = new ArrayList<>();
        for (var e : scenarios.entrySet()) {
            tallies.add(sweep(e.getKey(), "file://", local, b -> CrashingFileSystems.local(new Configuration(), b), e.getValue()));
            tallies.add(sweep(e.getKey(), "hdfs://", remote, b -> CrashingFileSystems.hdfs(new Configuration(), b), e.getValue()));
        }
        int points = 0;
        for (Tally t : tallies) {
            System.err.printf("crash points: %-18s %-8s %2d tried: old %2d, new %2d, none 0, mixed 0%n", t.path(), t.fs(),
                    t.crashPoints(), t.sawOld(), t.sawNew());
            assertThat(t.crashPoints()).as("%s", t).isPositive();
            assertThat(t.sawOld()).as("a crash before the publish leaves the old state: %s", t).isPositive();
            points += t.crashPoints();
        }
        System.err.printf("crash points: %d in all, every one old or new%n", points);
    }

    /** Kills the write at operation 1, 2, ... until it runs through; checks the state after each. */
    private static Tally sweep(String name, String fsName, Path base, Function<CrashingFileSystems.Budget, Configuration> crashing,
                               Scenario s) throws Exception {
        Configuration clean = new Configuration();
        int sawOld = 0;
        int sawNew = 0;
        for (int n = 1; n < 500; n++) {
            Path root = new Path(base, name.replace(' ', '-') + "-" + n);
            s.before(root, clean);
            try (CrashingFileSystems.Budget budget = new CrashingFileSystems.Budget(n)) {
                try {
                    s.write(root, crashing.apply(budget));
                } catch (Throwable e) {
                    if (!budget.crashed()) {
                        throw e;
                    }
                }
                String state = s.observe(root, clean);
                if (state.equals("old")) {
                    sawOld++;
                } else {
                    sawNew++;
                }
                if (!budget.crashed()) {
                    assertThat(state).as("%s on %s ran through", name, fsName).isEqualTo("new");
                    return new Tally(name, fsName, n - 1, sawOld, sawNew - 1);
                }
            }
        }
        throw new AssertionError(name + " never ran through");
    }

    private static CheckpointState state(int epoch) {
        return new CheckpointState(epoch, epoch * 10L, epoch * 100L, 42L, new PlateauSchedule.State(0.01, 0.5, 0, 0), "hash",
                "", "manifest", null);
    }

    private static Scenario checkpoint(boolean rewrite) {
        return new Scenario() {
            @Override
            public void before(Path root, Configuration clean) throws Exception {
                new CheckpointStore(new Path(root, "checkpoints"), clean, 3, "run-1").save(NET, state(1));
            }

            @Override
            public void write(Path root, Configuration crashing) throws Exception {
                new CheckpointStore(new Path(root, "checkpoints"), crashing, 3, "run-1").save(NET, state(rewrite ? 1 : 2));
            }

            @Override
            public String observe(Path root, Configuration clean) throws Exception {
                CheckpointStore store = new CheckpointStore(new Path(root, "checkpoints"), clean, 3, "run-1");
                // No partial checkpoint under a checkpoint name: every one loads and verifies.
                for (Path p : store.complete()) {
                    store.load(p);
                }
                CheckpointStore.Loaded latest = store.loadLatest().orElseThrow(() -> new AssertionError("no checkpoint at all"));
                List<String> names = store.complete().stream().map(Path::getName).toList();
                if (rewrite) {
                    assertThat(latest.state().epoch()).isEqualTo(1);
                    return names.contains("ckpt-000001-g1") ? "new" : "old";
                }
                return switch (latest.state().epoch()) {
                    case 1 -> "old";
                    case 2 -> "new";
                    default -> fail("epoch " + latest.state().epoch());
                };
            }
        };
    }

    private static EpochMetrics epoch(int e) {
        return new EpochMetrics(e, 2.0 / e, 2.1 / e, 0.5, 0.25, 0.01, 100 + e, 1.0, 20.0, 2, 256, 1000, List.of(), 0, 0);
    }

    private static Scenario metrics() {
        return new Scenario() {
            @Override
            public void before(Path root, Configuration clean) throws Exception {
                MetricsLog log = new MetricsLog(new Path(root, "metrics.jsonl"), clean);
                log.append(epoch(1));
                log.append(epoch(2));
            }

            @Override
            public void write(Path root, Configuration crashing) throws Exception {
                new MetricsLog(new Path(root, "metrics.jsonl"), crashing).append(epoch(3));
            }

            @Override
            public String observe(Path root, Configuration clean) throws Exception {
                List<EpochMetrics> epochs = new MetricsLog(new Path(root, "metrics.jsonl"), clean).epochs();
                assertThat(epochs).extracting(EpochMetrics::epoch).isIn(List.of(1, 2), List.of(1, 2, 3));
                return epochs.size() == 2 ? "old" : "new";
            }
        };
    }

    private static Manifest manifest(String dataset) {
        return new Manifest(Manifest.FORMAT_VERSION, dataset, "2026-12-03T00:00:00Z", "src", "tree", null, 10, 0, 1,
                List.of(), Map.of());
    }

    private static Scenario manifest() {
        return new Scenario() {
            @Override
            public void before(Path root, Configuration clean) throws Exception {
                ManifestIO.write(root.getFileSystem(clean), clean, root, manifest("old"));
            }

            @Override
            public void write(Path root, Configuration crashing) throws Exception {
                ManifestIO.write(root.getFileSystem(crashing), crashing, root, manifest("new"));
            }

            @Override
            public String observe(Path root, Configuration clean) throws Exception {
                return ManifestIO.read(root.getFileSystem(clean), root).dataset();
            }
        };
    }

    private static ModelCard card(double top1) {
        return new ModelCard(null, "alexnet-2012", 4, List.of("a", "b", "c", "d"), "m", "val", "cfg", top1, top1 / 2, null, null);
    }

    private static Scenario register() {
        return new Scenario() {
            @Override
            public void before(Path root, Configuration clean) throws Exception {
                new ModelRegistry(root, clean).register(NET, card(0.5));
            }

            @Override
            public void write(Path root, Configuration crashing) throws Exception {
                new ModelRegistry(root, crashing).register(NET, card(0.4));
            }

            @Override
            public String observe(Path root, Configuration clean) throws Exception {
                ModelRegistry registry = new ModelRegistry(root, clean);
                List<String> versions = registry.history().stream().map(r -> r.card().version()).toList();
                assertThat(versions).isIn(List.of("v000001"), List.of("v000001", "v000002"));
                for (var r : registry.history()) {
                    try (var in = r.model().getFileSystem(clean).open(r.model())) {
                        org.deeplearning4j.util.ModelSerializer.restoreComputationGraph(in, false);
                    }
                }
                return versions.size() == 1 ? "old" : "new";
            }
        };
    }

    private static Scenario promotion() {
        return new Scenario() {
            @Override
            public void before(Path root, Configuration clean) throws Exception {
                ModelRegistry registry = new ModelRegistry(root, clean);
                registry.promoteIfBetter(registry.register(NET, card(0.5)), 0.0);
                registry.register(NET, card(0.3));
            }

            @Override
            public void write(Path root, Configuration crashing) throws Exception {
                ModelRegistry registry = new ModelRegistry(root, crashing);
                assertThat(registry.promoteIfBetter(registry.version("v000002"), 0.0).promoted()).isTrue();
            }

            @Override
            public String observe(Path root, Configuration clean) throws Exception {
                String production = new ModelRegistry(root, clean).production()
                        .orElseThrow(() -> new AssertionError("no production model at all")).card().version();
                assertThat(production).isIn("v000001", "v000002");
                return production.equals("v000001") ? "old" : "new";
            }
        };
    }
}
