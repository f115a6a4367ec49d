package io.alexnetspark.paramserver;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/** Parameter vectors for tests and their reference mean. */
final class TestVectors {

    private TestVectors() {
    }

    static ByteBuffer direct(long floats) {
        return ByteBuffer.allocateDirect((int) (floats * 4)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Uniform floats in [-1, 1): {@code nextFloat()} yields multiples of 2^-24, so any sum of up to
     * 2^28 of them is exact in float64 whatever the order. The server's float64 sum, divided and
     * rounded once to float32, must then equal {@link #mean} bit for bit.
     */
    static ByteBuffer random(long floats, long seed) {
        ByteBuffer b = direct(floats);
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < floats; i++) {
            b.putFloat(4 * i, (float) (r.nextInt(1 << 24) * 0x1p-23 - 1.0));
        }
        return b;
    }

    /** The reference: float64 sum in worker order, divided by the count, rounded once to float32. */
    static ByteBuffer mean(ByteBuffer... vectors) {
        int floats = vectors[0].capacity() / 4;
        ByteBuffer out = direct(floats);
        for (int i = 0; i < floats; i++) {
            double sum = 0;
            for (ByteBuffer v : vectors) {
                sum += v.getFloat(4 * i);
            }
            out.putFloat(4 * i, (float) (sum / vectors.length));
        }
        return out;
    }

    /** Index of the first float whose bits differ, or -1 if bit-identical. */
    static long firstDifference(ByteBuffer a, ByteBuffer b) {
        int floats = Math.min(a.capacity(), b.capacity()) / 4;
        for (int i = 0; i < floats; i++) {
            if (a.getInt(4 * i) != b.getInt(4 * i)) {
                return i;
            }
        }
        return a.capacity() == b.capacity() ? -1 : floats;
    }

    static ByteBuffer copy(ByteBuffer src) {
        ByteBuffer c = direct(src.capacity() / 4);
        c.put(0, src, 0, src.capacity());
        return c;
    }
}
