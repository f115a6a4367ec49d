package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShardLayoutTest {

    @Test
    void shardsAreContiguousFloatAlignedAndCoverTheVector() {
        ShardLayout l = new ShardLayout(62_378_344, 4, 2 * 1024 * 1024);
        long next = 0;
        for (int s = 0; s < 4; s++) {
            assertThat(l.shardStartFloat(s)).isEqualTo(next);
            assertThat(l.shardStartByte(s) % 4).isZero();
            next += l.shardFloats(s);
        }
        assertThat(next).isEqualTo(62_378_344);
        assertThat(l.shardFloats(0)).isEqualTo(15_594_586);
    }

    @Test
    void remainderGoesToTheFirstShards() {
        ShardLayout l = new ShardLayout(10, 4, 8);
        assertThat(new int[] {l.shardFloats(0), l.shardFloats(1), l.shardFloats(2), l.shardFloats(3)})
            .containsExactly(3, 3, 2, 2);
        assertThat(l.shardStartByte(2)).isEqualTo(24);
    }

    @Test
    void chunksCoverEachShardAndOnlyTheLastIsShort() {
        ShardLayout l = new ShardLayout(1_000_003, 3, 64 * 1024);
        for (int s = 0; s < 3; s++) {
            int total = 0;
            for (int c = 0; c < l.chunkCount(s); c++) {
                assertThat(l.chunkByteOffset(s, c)).isEqualTo(l.shardStartByte(s) + total);
                if (c < l.chunkCount(s) - 1) {
                    assertThat(l.chunkBytes(s, c)).isEqualTo(64 * 1024);
                }
                assertThat(l.chunkBytes(s, c)).isPositive();
                total += l.chunkBytes(s, c);
            }
            assertThat(total).isEqualTo(l.shardBytes(s));
        }
        assertThat(l.totalChunks()).isEqualTo(l.chunkCount(0) + l.chunkCount(1) + l.chunkCount(2));
    }

    @Test
    void rejectsImpossibleShapes() {
        assertThatThrownBy(() -> new ShardLayout(3, 4, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShardLayout(100, 0, 8)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ShardLayout(100, 1, 6)).isInstanceOf(IllegalArgumentException.class);
    }
}
