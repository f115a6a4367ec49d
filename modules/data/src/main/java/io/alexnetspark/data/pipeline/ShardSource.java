package io.alexnetspark.data.pipeline;

import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.shard.ShardInfo;
import org.apache.hadoop.fs.Path;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * One shard for the pipeline to read: its full URI and, when known, its manifest entry (then it
 * is verified while read). Serializable so a Spark partition can carry its shard list.
 *
 * @param uri  full URI of the shard file
 * @param info its manifest entry, or null to read unverified
 */
public record ShardSource(String uri, ShardInfo info) implements Serializable {
    /** The shards of a split of the dataset whose manifest sits in {@code datasetRoot}. */
    public static List<ShardSource> fromManifest(Manifest manifest, Path datasetRoot, String split) {
        List<ShardSource> out = new ArrayList<>();
        for (ShardInfo s : manifest.shards(split)) {
            out.add(new ShardSource(new Path(datasetRoot, s.path()).toString(), s));
        }
        return out;
    }
}
