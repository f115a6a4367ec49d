package io.alexnetspark.data.ingest;

import io.alexnetspark.data.layout.SourceImage;
import io.alexnetspark.data.shard.ShardFormat;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The unit of ingestion work: one shard's input files. Serializable and self-contained, so that a
 * Spark task can run it ({@link ShardTaskRunner}) as well as the local thread pool.
 *
 * @param split  the split ("train", "val")
 * @param index  0-based shard index within the split
 * @param count  number of shards in the split
 * @param images the input files, in the order they are written
 */
public record ShardTask(String split, int index, int count, List<SourceImage> images) implements Serializable {
    public ShardTask {
        images = List.copyOf(images);
    }

    /** The shard's path relative to the dataset root, e.g. {@code train/train-00003-of-00012.seq}. */
    public String relativePath() {
        return split + "/" + ShardFormat.shardName(split, index, count);
    }

    /**
     * A digest of the inputs (keys, labels, files) and the preprocessing: a finished shard is reused
     * by a re-run only when this matches, so changed inputs or settings rebuild it.
     */
    public String fingerprint(String settings) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(settings.getBytes(StandardCharsets.UTF_8));
            for (SourceImage s : images) {
                md.update((s.key() + '\0' + s.label() + '\0' + s.uri() + '\n').getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
