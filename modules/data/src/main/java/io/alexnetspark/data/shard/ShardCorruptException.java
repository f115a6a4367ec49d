package io.alexnetspark.data.shard;

import java.io.IOException;

/** A shard whose bytes do not match its manifest entry, or that cannot be parsed. Names the shard. */
public class ShardCorruptException extends IOException {
    public ShardCorruptException(String shard, String problem) {
        super("corrupt shard " + shard + ": " + problem);
    }

    public ShardCorruptException(String shard, String problem, Throwable cause) {
        super("corrupt shard " + shard + ": " + problem, cause);
    }
}
