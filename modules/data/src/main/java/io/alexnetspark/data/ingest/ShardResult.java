package io.alexnetspark.data.ingest;

import io.alexnetspark.data.manifest.ReasonCount;
import io.alexnetspark.data.shard.ShardInfo;

import java.util.Map;

/**
 * What one shard task produced: the shard's manifest entry and its counts. Stored beside the shard
 * as {@code <shard>.done.json}, after the shard itself, so a re-run can reuse the shard.
 * Serializable: a Spark task returns it to the driver.
 *
 * @param shard       the manifest entry
 * @param fingerprint {@link ShardTask#fingerprint(String)} of the task that wrote it
 * @param sources     input files considered
 * @param classCounts images written per wnid
 * @param skipped     skipped inputs by reason
 * @param converted   repaired inputs by kind
 * @param reused      true when a re-run found the shard finished and verified (not serialized meaningfully)
 */
public record ShardResult(ShardInfo shard, String fingerprint, long sources, Map<String, Long> classCounts,
                          Map<String, ReasonCount> skipped, Map<String, ReasonCount> converted, boolean reused)
        implements java.io.Serializable {
    /** The same result, marked as reused. */
    ShardResult asReused() {
        return new ShardResult(shard, fingerprint, sources, classCounts, skipped, converted, true);
    }
}
