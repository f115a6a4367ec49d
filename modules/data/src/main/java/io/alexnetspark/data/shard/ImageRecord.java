package io.alexnetspark.data.shard;

import java.util.Objects;

/**
 * One image in a shard: its class label, the class's WordNet id, a key naming the source image
 * (e.g. {@code train/n01440764/n01440764_10026.JPEG}) and the JPEG bytes.
 *
 * @param label 0-based class index (sorted-wnid order for ILSVRC-2012)
 * @param wnid  the class's WordNet id, or the folder name for a generic tree
 * @param key   the image's key, unique within the dataset
 * @param jpeg  the encoded image
 */
public record ImageRecord(int label, String wnid, String key, byte[] jpeg) {
    public ImageRecord {
        Objects.requireNonNull(wnid, "wnid");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(jpeg, "jpeg");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label + " for " + key);
        }
    }
}
