package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ShardAccumulatorTest {

    private final ShardLayout layout = new ShardLayout(1000, 1, 400); // 10 chunks of 100 floats

    /** Pushes chunks; a chunk's W-th push writes its mean into {@code avg} (and must be the only one that says so). */
    private void push(ShardAccumulator acc, int worker, ByteBuffer vector, UnsafeBuffer avg, int... chunks) {
        UnsafeBuffer v = new UnsafeBuffer(vector);
        for (int c : chunks) {
            boolean lastOne = acc.contributors(c) + 1 == acc.workers();
            assertThat(acc.add(worker, c, v, layout.chunkOffsetInShard(c), layout.chunkBytes(0, c), avg)).isEqualTo(lastOne);
            assertThat(acc.isFinal(c)).isEqualTo(lastOne);
        }
    }

    /** What the shard does at close: the chunks that are not final are averaged over their contributors. */
    private void close(ShardAccumulator acc, UnsafeBuffer avg) {
        for (int c = 0; c < layout.chunkCount(0); c++) {
            acc.averageInto(c, avg);
        }
    }

    private static int[] all() {
        return new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    }

    @Test
    void averageDoesNotDependOnArrivalOrder() {
        ByteBuffer[] w = {TestVectors.random(1000, 1), TestVectors.random(1000, 2), TestVectors.random(1000, 3)};
        ShardAccumulator forward = new ShardAccumulator(layout, 0, 3);
        ShardAccumulator backward = new ShardAccumulator(layout, 0, 3);
        ByteBuffer a = TestVectors.direct(1000);
        ByteBuffer b = TestVectors.direct(1000);
        for (int i = 0; i < 3; i++) {
            push(forward, i, w[i], new UnsafeBuffer(a), all());
            push(backward, 2 - i, w[2 - i], new UnsafeBuffer(b), 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
        }
        assertThat(forward.finalChunks()).isEqualTo(10);
        close(forward, new UnsafeBuffer(a));
        close(backward, new UnsafeBuffer(b));
        assertThat(TestVectors.firstDifference(a, TestVectors.mean(w))).isEqualTo(-1);
        assertThat(TestVectors.firstDifference(b, a)).isEqualTo(-1);
        assertThat(forward.completeWorkers()).isEqualTo(3);
    }

    @Test
    void powerOfTwoWorkerCountsAndOneWorkerAreExactToo() {
        for (int workers : new int[] {1, 2, 4, 5}) {
            ByteBuffer[] w = new ByteBuffer[workers];
            ShardAccumulator acc = new ShardAccumulator(layout, 0, workers);
            ByteBuffer avg = TestVectors.direct(1000);
            for (int i = 0; i < workers; i++) {
                w[i] = TestVectors.random(1000, 40 + i);
                push(acc, i, w[i], new UnsafeBuffer(avg), all());
            }
            close(acc, new UnsafeBuffer(avg));
            assertThat(TestVectors.firstDifference(avg, TestVectors.mean(w))).as("%d workers", workers).isEqualTo(-1);
        }
    }

    @Test
    void partialPushCountsOnlyForTheChunksItSent() {
        ByteBuffer w0 = TestVectors.random(1000, 10);
        ByteBuffer w1 = TestVectors.random(1000, 11);
        ByteBuffer w2 = TestVectors.random(1000, 12);
        ShardAccumulator acc = new ShardAccumulator(layout, 0, 3);
        ByteBuffer avg = TestVectors.direct(1000);
        UnsafeBuffer out = new UnsafeBuffer(avg);
        push(acc, 0, w0, out, all());
        push(acc, 2, w2, out, 0, 1);
        push(acc, 1, w1, out, all());
        assertThat(acc.completeWorkers()).isEqualTo(2);
        assertThat(acc.activeWorkers()).isEqualTo(3);
        assertThat(acc.contributors(0)).isEqualTo(3);
        assertThat(acc.contributors(2)).isEqualTo(2);
        assertThat(acc.finalChunks()).isEqualTo(2);
        close(acc, out);
        ByteBuffer three = TestVectors.mean(w0, w1, w2);
        ByteBuffer two = TestVectors.mean(w0, w1);
        for (int i = 0; i < 1000; i++) {
            assertThat(avg.getFloat(4 * i)).isEqualTo(i < 200 ? three.getFloat(4 * i) : two.getFloat(4 * i));
        }
    }

    @Test
    void resetStartsTheNextRoundFromScratch() {
        ShardAccumulator acc = new ShardAccumulator(layout, 0, 2);
        ByteBuffer avg = TestVectors.direct(1000);
        UnsafeBuffer out = new UnsafeBuffer(avg);
        push(acc, 0, TestVectors.random(1000, 5), out, all());
        push(acc, 1, TestVectors.random(1000, 6), out, all());
        acc.reset();
        assertThat(acc.hasChunk(0, 0)).isFalse();
        assertThat(acc.finalChunks()).isZero();
        ByteBuffer a = TestVectors.random(1000, 7);
        ByteBuffer b = TestVectors.random(1000, 8);
        push(acc, 1, b, out, all());
        push(acc, 0, a, out, all());
        close(acc, out);
        assertThat(TestVectors.firstDifference(avg, TestVectors.mean(a, b))).isEqualTo(-1);
    }
}
