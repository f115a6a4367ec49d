package io.alexnetspark.data.shard;

import java.util.Objects;

/**
 * A finished, verified shard as the manifest lists it.
 *
 * @param path   the shard's path relative to the dataset root (e.g. {@code train/train-00003-of-00012.seq})
 * @param images number of records in it
 * @param bytes  file length in bytes
 * @param sha256 SHA-256 of the whole file, lower-case hex
 */
public record ShardInfo(String path, long images, long bytes, String sha256) implements java.io.Serializable {
    public ShardInfo {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(sha256, "sha256");
    }
}
