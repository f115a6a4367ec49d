package io.alexnetspark.data.manifest;

import io.alexnetspark.data.shard.ShardInfo;

import java.util.List;
import java.util.Map;

/**
 * One split (train or val) of a dataset.
 *
 * @param images      images in its shards
 * @param sources     input files considered (images + skipped)
 * @param shards      complete, verified shards, in shard-index order
 * @param classCounts images per class (wnid), sorted by wnid
 * @param skipped     skipped input files by {@link io.alexnetspark.data.image.SkipReason}
 * @param converted   repaired input files by {@link io.alexnetspark.data.image.Conversion}
 */
public record SplitManifest(long images, long sources, List<ShardInfo> shards, Map<String, Long> classCounts,
                            Map<String, ReasonCount> skipped, Map<String, ReasonCount> converted) {
    public SplitManifest {
        shards = List.copyOf(shards);
    }

    /** Total skipped input files. */
    public long skippedTotal() {
        return skipped.values().stream().mapToLong(ReasonCount::count).sum();
    }
}
