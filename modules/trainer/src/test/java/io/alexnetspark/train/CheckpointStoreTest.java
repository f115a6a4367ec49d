package io.alexnetspark.train;

import io.alexnetspark.TestNetworks;
import io.alexnetspark.model.train.PlateauSchedule;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;

import static org.assertj.core.api.Assertions.assertThat;

class CheckpointStoreTest {

    @TempDir
    java.nio.file.Path tmp;

    private static ComputationGraph trainedNetwork() {
        ComputationGraph net = TestNetworks.smallFactory().newNetwork();
        net.fit(TestNetworks.randomBatches(1, 8, 1).get(0)); // creates momentum state
        return net;
    }

    private static CheckpointState state(int epoch) {
        return new CheckpointState(epoch, epoch * 10L, epoch * 100L, 42L,
                new PlateauSchedule.State(0.001, 0.41, 1, 1), "hash", "training.epochs = 90", "manifest-1", null);
    }

    private CheckpointStore store(int keep) throws IOException {
        return new CheckpointStore(new Path(tmp.toUri().toString(), "ckpt"), new Configuration(), keep);
    }

    @Test
    void roundTripKeepsParametersUpdaterStateAndSchedulePosition() throws IOException {
        ComputationGraph net = trainedNetwork();
        CheckpointStore store = store(3);
        store.save(net, state(1));
        CheckpointStore.Loaded back = store.loadLatest().orElseThrow();
        assertThat(back.network().params()).isEqualTo(net.params());
        assertThat(back.network().getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
        assertThat(back.state().plateau()).isEqualTo(state(1).plateau());
        assertThat(back.state().epoch()).isEqualTo(1);
        assertThat(back.state().modelSha256()).hasSize(64);
    }

    @Test
    void keepsTheNewestK() throws IOException {
        ComputationGraph net = trainedNetwork();
        CheckpointStore store = store(2);
        for (int e = 1; e <= 4; e++) {
            store.save(net, state(e));
        }
        assertThat(store.complete()).extracting(Path::getName).containsExactly("ckpt-000003", "ckpt-000004");
    }

    @Test
    void aCrashMidWriteIsInvisibleAndCleanedUp() throws IOException {
        ComputationGraph net = trainedNetwork();
        CheckpointStore store = store(3);
        store.save(net, state(4));
        // What a driver killed while writing epoch 5 leaves behind.
        java.nio.file.Path partial = tmp.resolve("ckpt/_tmp-ckpt-000005-dead");
        Files.createDirectories(partial);
        Files.write(partial.resolve(CheckpointStore.MODEL), new byte[] {80, 75, 3});
        assertThat(store.loadLatest().orElseThrow().state().epoch()).isEqualTo(4);
        store.save(net, state(5));
        assertThat(Files.exists(partial)).isFalse();
        assertThat(store.loadLatest().orElseThrow().state().epoch()).isEqualTo(5);
    }

    @Test
    void aCorruptedNewestFallsBackToThePreviousOne() throws IOException {
        ComputationGraph net = trainedNetwork();
        CheckpointStore store = store(3);
        store.save(net, state(3));
        store.save(net, state(4));
        java.nio.file.Path model = tmp.resolve("ckpt/ckpt-000004/" + CheckpointStore.MODEL);
        try (RandomAccessFile f = new RandomAccessFile(model.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0xFF);
        }
        assertThat(store.loadLatest().orElseThrow().state().epoch()).isEqualTo(3);
    }

    @Test
    void savingAnEpochAgainReplacesIt() throws IOException {
        ComputationGraph net = trainedNetwork();
        CheckpointStore store = store(3);
        store.save(net, state(2));
        net.fit(TestNetworks.randomBatches(1, 8, 2).get(0));
        store.save(net, state(2));
        assertThat(store.complete()).hasSize(1);
        assertThat(store.loadLatest().orElseThrow().network().params()).isEqualTo(net.params());
        try (var s = Files.list(tmp.resolve("ckpt"))) {
            // The second copy is a new generation; the first is pruned. The folder's lock file (file:// only) stays.
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("ckpt-000002-g1", ".publish.lock");
        }
    }
    private static CheckpointState withinEpoch(int epochsDone, int rounds) {
        CheckpointState e = state(epochsDone);
        return new CheckpointState(e.epoch(), e.round(), e.iterations(), e.seed(), e.plateau(), e.configHash(), e.config(),
                e.manifestId(), null, rounds, 2);
    }

    @Test
    void aRoundLevelCheckpointIsTheNewestUntilTheNextOneOfEitherKind() throws IOException {
        ComputationGraph net = trainedNetwork();
        CheckpointStore store = store(2);
        store.save(net, state(1));
        store.save(net, withinEpoch(1, 50));
        assertThat(store.loadLatest().orElseThrow().state()).satisfies(st -> {
            assertThat(st.withinEpoch()).isTrue();
            assertThat(st.roundsIntoEpoch()).isEqualTo(50);
            assertThat(st.replicas()).isEqualTo(2);
        });
        store.save(net, withinEpoch(1, 100));
        assertThat(store.complete()).extracting(Path::getName).containsExactly("ckpt-000001", "ckpt-000001-r000100");
        store.save(net, state(2));
        store.save(net, state(3));
        // Epoch checkpoints keep their own count; the round-level one went with the next checkpoint.
        assertThat(store.complete()).extracting(Path::getName).containsExactly("ckpt-000002", "ckpt-000003");
        assertThat(store.loadLatest().orElseThrow().state().withinEpoch()).isFalse();
    }
}
