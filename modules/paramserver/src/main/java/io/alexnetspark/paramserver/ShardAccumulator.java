package io.alexnetspark.paramserver;

import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The open round of one shard: the running sum of the pushed chunks, which worker sent which
 * chunk, and how many workers contributed to each chunk.
 *
 * <p>The sum is float64. Summing float32 values in float64 is exact as long as they span fewer
 * than about {@code 29 - log2(W)} binades, and then the result does not depend on the order in
 * which pushes arrive (a float32 sum would). The mean is rounded to float32 once, at close.
 *
 * <p>Each chunk is divided by its own contributor count: a worker that died after sending part of
 * its push contributed to those chunks only. Not thread-safe: owned by the shard's agent thread.
 */
final class ShardAccumulator {

    private final int workers;
    private final ShardLayout layout;
    private final int shard;
    private final double[] sum;
    private final int[] contributors;
    private final boolean[] received;
    private final int[] chunksFrom;
    private final int chunkCount;
    private int completeWorkers;
    private int activeWorkers;
    private long bytesIn;

    ShardAccumulator(ShardLayout layout, int shard, int workers) {
        this.layout = layout;
        this.shard = shard;
        this.workers = workers;
        this.chunkCount = layout.chunkCount(shard);
        this.sum = new double[layout.shardFloats(shard)];
        this.contributors = new int[chunkCount];
        this.received = new boolean[workers * chunkCount];
        this.chunksFrom = new int[workers];
    }

    boolean hasChunk(int worker, int chunk) {
        return received[worker * chunkCount + chunk];
    }

    /**
     * Adds one validated chunk. The first contribution to a chunk overwrites the sum, so no
     * clearing pass over the (large) sum is needed between rounds.
     */
    void add(int worker, int chunk, DirectBuffer payload, int payloadOffset, int payloadLength) {
        int first = layout.chunkOffsetInShard(chunk) / 4;
        int n = payloadLength / 4;
        double[] s = sum;
        if (contributors[chunk] == 0) {
            for (int i = 0; i < n; i++) {
                s[first + i] = payload.getFloat(payloadOffset + 4 * i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                s[first + i] += payload.getFloat(payloadOffset + 4 * i);
            }
        }
        contributors[chunk]++;
        received[worker * chunkCount + chunk] = true;
        if (chunksFrom[worker]++ == 0) {
            activeWorkers++;
        }
        if (chunksFrom[worker] == chunkCount) {
            completeWorkers++;
        }
        bytesIn += payloadLength;
    }

    /** Workers that pushed every chunk of this shard. */
    int completeWorkers() {
        return completeWorkers;
    }

    /** Workers that pushed at least one chunk. */
    int activeWorkers() {
        return activeWorkers;
    }

    long bytesIn() {
        return bytesIn;
    }

    int contributors(int chunk) {
        return contributors[chunk];
    }

    void copyContributors(int[] dst) {
        System.arraycopy(contributors, 0, dst, 0, contributors.length);
    }

    /**
     * Writes the mean of every chunk, {@code (float) (sum / contributors)}, into {@code dst}
     * (the shard's bytes from offset 0). Every chunk must have a contributor.
     */
    void averageInto(MutableDirectBuffer dst) {
        double[] s = sum;
        for (int c = 0; c < chunkCount; c++) {
            int n = contributors[c];
            if (n == 0) {
                throw new IllegalStateException("chunk " + c + " of shard " + shard + " has no contributor");
            }
            double count = n;
            int first = layout.chunkOffsetInShard(c) / 4;
            int end = first + layout.chunkBytes(shard, c) / 4;
            for (int i = first; i < end; i++) {
                dst.putFloat(4 * i, (float) (s[i] / count));
            }
        }
    }

    /** Forgets the round (the sum is overwritten lazily by the next first contributions). */
    void reset() {
        Arrays.fill(contributors, 0);
        Arrays.fill(received, false);
        Arrays.fill(chunksFrom, 0);
        completeWorkers = 0;
        activeWorkers = 0;
        bytesIn = 0;
    }

    int workers() {
        return workers;
    }
}
