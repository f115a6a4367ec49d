package io.alexnetspark.data.layout;

import java.io.Serializable;

/**
 * One input image to ingest. Serializable: lists of these are the input of a shard's unit of
 * work, which a Spark task may run.
 *
 * @param uri   the file's full URI (any Hadoop FileSystem)
 * @param key   the image's key in the shards: its path relative to the dataset root
 * @param wnid  its class id
 * @param label its class label
 */
public record SourceImage(String uri, String key, String wnid, int label) implements Serializable {
}
