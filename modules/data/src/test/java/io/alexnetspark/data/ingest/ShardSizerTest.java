package io.alexnetspark.data.ingest;

import io.alexnetspark.data.TestData;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.layout.DatasetLayout;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.shard.ShardInfo;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** data.ingest.shard-bytes on real photos: shards near the target, a deterministic plan, resumable re-runs. */
class ShardSizerTest {
    static final PreprocessSettings SETTINGS = new PreprocessSettings(64, 64, 90, true, 1);

    @TempDir
    java.nio.file.Path tmp;

    private java.nio.file.Path tree() throws IOException {
        java.nio.file.Path root = TestData.writePetTree(tmp.resolve("pets"), 150, 200, "%03d.jpg");
        Files.write(root.resolve("dog").resolve("zero.jpg"), new byte[0]); // skipped: takes no space
        return root;
    }

    private IngestOptions.Builder options(java.nio.file.Path tree, String out, long shardBytes) {
        return IngestOptions.builder(tree.toUri().toString(), tmp.resolve(out).toUri().toString())
                .layout(DatasetLayout.GENERIC).preprocessing(SETTINGS).imagesPerShard(1000).shardBytes(shardBytes)
                .threads(2).progress(null).conf(new Configuration());
    }

    @Test
    void shardsComeOutNearTheTargetSizeAndTheSamePlanComesBack() throws IOException {
        java.nio.file.Path tree = tree();
        long target = 64 << 10;
        Manifest m = Ingest.run(options(tree, "out", target).build());
        List<ShardInfo> shards = m.shards("train");
        assertThat(shards.size()).isGreaterThan(3);
        // Every full shard is within 15% of the target; their mean within 5%.
        List<ShardInfo> full = shards.subList(0, shards.size() - 1);
        for (ShardInfo s : full) {
            assertThat((double) s.bytes()).as(s.path()).isBetween(0.85 * target, 1.15 * target);
        }
        double mean = full.stream().mapToLong(ShardInfo::bytes).average().orElseThrow();
        assertThat(mean).isBetween(0.95 * target, 1.05 * target);
        assertThat(m.shardBytes()).isEqualTo(target);
        assertThat(m.splits().get("train").images()).isEqualTo(300);

        // Deterministic: the same tree, seed and settings plan the same shards, so a re-run reuses them all.
        Ingest.Plan again = Ingest.plan(options(tree, "out", target).build());
        assertThat(again.totalShards()).isEqualTo(shards.size());
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Manifest rerun = Ingest.run(options(tree, "out", target)
                .progress(new PrintStream(progress, true, StandardCharsets.UTF_8)).build());
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("(" + shards.size() + " reused)");
        assertThat(rerun.shards("train")).isEqualTo(shards);
    }

    @Test
    void imagesPerShardStaysTheCapAndZeroTurnsTheTargetOff() throws IOException {
        java.nio.file.Path tree = tree();
        Ingest.Plan capped = Ingest.plan(options(tree, "a", 1L << 30).imagesPerShard(100).build());
        assertThat(capped.tasks().get("train")).extracting(t -> t.images().size()).containsExactly(100, 100, 100, 1);
        Ingest.Plan off = Ingest.plan(options(tree, "b", 0).imagesPerShard(100).build());
        assertThat(off.tasks()).isEqualTo(capped.tasks());
        Ingest.Plan tiny = Ingest.plan(options(tree, "c", 1).build());
        assertThat(tiny.totalShards()).as("at least one image per shard").isEqualTo(301);
    }
}
