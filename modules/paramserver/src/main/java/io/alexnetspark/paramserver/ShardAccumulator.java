package io.alexnetspark.paramserver;

import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The open round of one shard: the running sum of the pushed chunks, which worker sent which
 * chunk, and how many workers contributed to each chunk.
 *
 * <p>The sum is float64. Summing float32 values in float64 is exact as long as they span fewer
 * than about {@code 29 - log2(W)} binades, and then the result does not depend on the order in
 * which pushes arrive (a float32 sum would). The mean is rounded to float32 once, at close.
 *
 * <p>A chunk all W workers sent is final at once: its mean is written when the last contribution
 * arrives (see {@link #add}), so the shard can send it while the rest of the round is still coming in.
 *
 * <p>Each chunk is divided by its own contributor count: a worker that died after sending part of
 * its push contributed to those chunks only. Not thread-safe: owned by the shard's agent thread.
 */
final class ShardAccumulator {

    private final int workers;
    private final ShardLayout layout;
    private final int shard;
    private final double[] sum;
    /** Block scratch for the vectorised loops (a few KB: stays in L1). */
    private static final int BLOCK = 2048;
    private static final long FLOAT_BASE = UnsafeApi.arrayBaseOffset(float[].class);
    private final float[] blockA = new float[BLOCK];
    private final float[] blockX = new float[BLOCK];
    private final double[] blockT = new double[BLOCK];
    private final int[] contributors;
    private final boolean[] received;
    private final int[] chunksFrom;
    private final int chunkCount;
    private int completeWorkers;
    private int finalChunks;
    private int activeWorkers;
    private long bytesIn;

    ShardAccumulator(ShardLayout layout, int shard, int workers) {
        this.layout = layout;
        this.shard = shard;
        this.workers = workers;
        this.chunkCount = layout.chunkCount(shard);
        // With W <= 2 no float64 sum is needed (see add).
        this.sum = workers > 2 ? new double[layout.shardFloats(shard)] : null;
        this.contributors = new int[chunkCount];
        this.received = new boolean[workers * chunkCount];
        this.chunksFrom = new int[workers];
    }

    boolean hasChunk(int worker, int chunk) {
        return received[worker * chunkCount + chunk];
    }

    /**
     * Adds one validated chunk. {@code avg} is the shard's average buffer for the open round (the
     * shard's bytes from offset 0), and it also holds each chunk's first contribution: a float32
     * vector needs no float64 to be held exactly, so the first push of a chunk is a plain copy and
     * no clearing pass over a sum is needed between rounds. The second contribution starts the
     * float64 sum; the W-th (every worker has sent this chunk: nothing can change it any more) is
     * not added to the sum but fused with the division, writing the chunk's mean into {@code avg}
     * while the sum is still in cache, and the chunk is final. With W = 2 the float64 sum is never
     * touched: per round the chunk is written once, then read and overwritten once.
     *
     * @return true if this contribution made the chunk final (its mean is now in {@code avg})
     */
    boolean add(int worker, int chunk, DirectBuffer payload, int payloadOffset, int payloadLength, MutableDirectBuffer avg) {
        int firstByte = layout.chunkOffsetInShard(chunk);
        int first = firstByte / 4;
        int n = payloadLength / 4;
        int before = contributors[chunk];
        boolean last = before + 1 == workers;
        if (before == 0) {
            avg.putBytes(firstByte, payload, payloadOffset, payloadLength); // the mean of one, if it stays alone
        } else {
            // Block by block through small heap arrays, so that every loop is over arrays of one
            // kind and C2 vectorises it (a loop mixing float and double arithmetic, or reading
            // through a DirectBuffer, runs 5-10x slower).
            double[] s = sum;
            boolean pow2 = Integer.bitCount(workers) == 1;
            double inv = 1.0 / workers;
            double count = workers;
            float[] a = blockA;
            float[] x = blockX;
            double[] t = blockT;
            for (int b = 0; b < n; b += BLOCK) {
                int m = Math.min(BLOCK, n - b);
                load(payload, payloadOffset + 4 * b, x, m);
                if (before == 1) {
                    // The first contribution is in avg (float32): widen it, add this one.
                    load(avg, firstByte + 4 * b, a, m);
                    if (last) {
                        for (int i = 0; i < m; i++) {
                            t[i] = (double) a[i] + (double) x[i];
                        }
                    } else {
                        for (int i = 0; i < m; i++) {
                            s[first + b + i] = (double) a[i] + (double) x[i];
                        }
                        continue;
                    }
                } else if (last) {
                    for (int i = 0; i < m; i++) {
                        t[i] = s[first + b + i] + x[i];
                    }
                } else {
                    for (int i = 0; i < m; i++) {
                        s[first + b + i] += x[i];
                    }
                    continue;
                }
                divide(t, a, m, pow2, inv, count);
                store(a, m, avg, firstByte + 4 * b);
            }
        }
        if (last) {
            finalChunks++;
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
        return last;
    }

    /**
     * {@code out[i] = (float) (t[i] / count)}. Dividing by a power of two is multiplying by its
     * exact reciprocal: the same bits, no divide.
     */
    private static void divide(double[] t, float[] out, int m, boolean pow2, double inv, double count) {
        if (pow2) {
            for (int i = 0; i < m; i++) {
                out[i] = (float) (t[i] * inv);
            }
        } else {
            for (int i = 0; i < m; i++) {
                out[i] = (float) (t[i] / count);
            }
        }
    }

    /** Copies {@code m} float32 (native order = the wire's little-endian) from a buffer into {@code dst}. */
    private static void load(DirectBuffer src, int index, float[] dst, int m) {
        src.boundsCheck(index, 4 * m);
        UnsafeApi.copyMemory(src.byteArray(), src.addressOffset() + index, dst, FLOAT_BASE, 4L * m);
    }

    private static void store(float[] src, int m, MutableDirectBuffer dst, int index) {
        dst.boundsCheck(index, 4 * m);
        UnsafeApi.copyMemory(src, FLOAT_BASE, dst.byteArray(), dst.addressOffset() + index, 4L * m);
    }

    /** True once all W workers contributed to the chunk (its mean was written by {@link #add}). */
    boolean isFinal(int chunk) {
        return contributors[chunk] == workers;
    }

    /** Chunks all W workers contributed to. */
    int finalChunks() {
        return finalChunks;
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
     * Writes the mean {@code (float) (sum / contributors)} of a chunk that is not final (the
     * round closes by quorum without some workers) into {@code avg}, the shard's bytes from offset
     * 0, which holds the chunk's first contribution already.
     */
    void averageInto(int chunk, MutableDirectBuffer avg) {
        int n = contributors[chunk];
        if (n == 0) {
            throw new IllegalStateException("chunk " + chunk + " of shard " + shard + " has no contributor");
        }
        if (n == workers || n == 1) {
            return; // final (written by add), or the mean of one: the first contribution, in avg already
        }
        double[] s = sum;
        int firstByte = layout.chunkOffsetInShard(chunk);
        int first = firstByte / 4;
        int total = layout.chunkBytes(shard, chunk) / 4;
        boolean pow2 = Integer.bitCount(n) == 1;
        for (int b = 0; b < total; b += BLOCK) {
            int m = Math.min(BLOCK, total - b);
            System.arraycopy(s, first + b, blockT, 0, m);
            divide(blockT, blockA, m, pow2, 1.0 / n, n);
            store(blockA, m, avg, firstByte + 4 * b);
        }
    }

    /** Forgets the round (the sum is overwritten lazily by the next first contributions). */
    void reset() {
        Arrays.fill(contributors, 0);
        Arrays.fill(received, false);
        Arrays.fill(chunksFrom, 0);
        completeWorkers = 0;
        finalChunks = 0;
        activeWorkers = 0;
        bytesIn = 0;
    }

    int workers() {
        return workers;
    }
}
