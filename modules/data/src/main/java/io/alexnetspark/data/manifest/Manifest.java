package io.alexnetspark.data.manifest;

import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.layout.ClassEntry;
import io.alexnetspark.data.layout.ClassIndex;
import io.alexnetspark.data.shard.ShardInfo;

import java.util.List;
import java.util.Map;

/**
 * The dataset's table of contents, {@code manifest.json} at the dataset root: what was ingested,
 * how, into which shards. Only complete, verified shards are listed, so a reader can trust every
 * entry; shard paths are relative to the directory holding the manifest.
 *
 * @param formatVersion  {@link #FORMAT_VERSION}
 * @param dataset        the dataset's name
 * @param createdAt      ISO-8601 time of writing
 * @param source         the input root that was ingested
 * @param layout         the input layout
 * @param preprocessing  how images were prepared
 * @param imagesPerShard input images per shard, at most (a shard holds fewer when some were skipped)
 * @param shardBytes     the shard size target in bytes (0: none); see {@code ShardSizer}
 * @param seed           seed of the image-to-shard assignment
 * @param classes        the class index, in label order
 * @param splits         per split (train, val)
 */
public record Manifest(int formatVersion, String dataset, String createdAt, String source, String layout,
                       PreprocessSettings preprocessing, int imagesPerShard, long shardBytes, long seed,
                       List<ClassEntry> classes, Map<String, SplitManifest> splits) {
    /** Version of this JSON structure. */
    public static final int FORMAT_VERSION = 1;
    /** The manifest's file name in the dataset root. */
    public static final String FILE_NAME = "manifest.json";

    public Manifest {
        classes = List.copyOf(classes);
    }

    /** Class names (wnids) in label order: the label of class i is i. */
    public List<String> classNames() {
        return classes.stream().map(ClassEntry::wnid).toList();
    }

    /** The class index as an object. */
    public ClassIndex classIndex() {
        return ClassIndex.fromEntries(classes);
    }

    /** The shards of a split, or a clear error. */
    public List<ShardInfo> shards(String split) {
        SplitManifest s = splits.get(split);
        if (s == null) {
            throw new IllegalArgumentException("the manifest of " + dataset + " has no split '" + split + "', only " + splits.keySet());
        }
        return s.shards();
    }
}
