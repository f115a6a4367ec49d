package io.alexnetspark.paramserver;

/**
 * Splits a float32 vector into {@code shards} contiguous ranges and each range into chunks.
 *
 * <p>Ranges are whole floats (4-byte aligned) and as even as possible: the first
 * {@code floats % shards} shards get one float more. Chunks are {@code chunkBytes / 4} floats,
 * the last one of a shard shorter. Server and workers compute the same layout from the same
 * {@link JobSpec}, so offsets never need negotiating.
 */
public final class ShardLayout {

    private final long floats;
    private final int shards;
    private final int chunkFloats;
    private final long[] shardStart;
    private final int[] shardFloats;
    private final int[] chunkCount;

    /**
     * @param floats     vector length in floats (at least {@code shards})
     * @param shards     number of shards (at least 1)
     * @param chunkBytes largest chunk payload in bytes (a positive multiple of 4)
     */
    public ShardLayout(long floats, int shards, int chunkBytes) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be >= 1, got " + shards);
        }
        if (floats < shards) {
            throw new IllegalArgumentException("vector of " + floats + " floats cannot be split into " + shards + " shards");
        }
        if (chunkBytes < 4 || chunkBytes % 4 != 0) {
            throw new IllegalArgumentException("chunk bytes must be a positive multiple of 4, got " + chunkBytes);
        }
        if (floats > Integer.MAX_VALUE / 4) {
            // Offsets into the caller's buffer and Agrona's buffers are ints.
            throw new IllegalArgumentException("a vector of " + floats + " floats is 2 GiB or more; at most "
                + Integer.MAX_VALUE / 4 + " floats are supported");
        }
        long base = floats / shards;
        if (base + 1 > Integer.MAX_VALUE / 4) {
            throw new IllegalArgumentException("shards of " + base + " floats exceed 2 GB: use more shards");
        }
        this.floats = floats;
        this.shards = shards;
        this.chunkFloats = chunkBytes / 4;
        this.shardStart = new long[shards];
        this.shardFloats = new int[shards];
        this.chunkCount = new int[shards];
        long extra = floats % shards;
        long start = 0;
        for (int s = 0; s < shards; s++) {
            int n = (int) (base + (s < extra ? 1 : 0));
            shardStart[s] = start;
            shardFloats[s] = n;
            chunkCount[s] = (n + chunkFloats - 1) / chunkFloats;
            start += n;
        }
    }

    public long floats() {
        return floats;
    }

    public long bytes() {
        return floats * 4;
    }

    public int shards() {
        return shards;
    }

    /** First float of the shard, as an index into the whole vector. */
    public long shardStartFloat(int shard) {
        return shardStart[shard];
    }

    public int shardFloats(int shard) {
        return shardFloats[shard];
    }

    /** Byte offset of the shard in the whole vector. */
    public long shardStartByte(int shard) {
        return shardStart[shard] * 4;
    }

    public int shardBytes(int shard) {
        return shardFloats[shard] * 4;
    }

    public int chunkCount(int shard) {
        return chunkCount[shard];
    }

    /** Byte offset of a chunk within its shard. */
    public int chunkOffsetInShard(int chunk) {
        return chunk * chunkFloats * 4;
    }

    /** Byte offset of a chunk in the whole vector (what travels in the header). */
    public long chunkByteOffset(int shard, int chunk) {
        return shardStartByte(shard) + chunkOffsetInShard(chunk);
    }

    public int chunkBytes(int shard, int chunk) {
        int first = chunk * chunkFloats;
        return Math.min(chunkFloats, shardFloats[shard] - first) * 4;
    }

    /** The largest chunk payload, in bytes. */
    public int maxChunkBytes() {
        return chunkFloats * 4;
    }

    /** Total number of chunks over all shards. */
    public int totalChunks() {
        int sum = 0;
        for (int c : chunkCount) {
            sum += c;
        }
        return sum;
    }
}
