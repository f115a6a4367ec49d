package io.alexnetspark.paramserver;

import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * Finds NaN and infinities in a float32 payload at memory speed.
 *
 * <p>The payload is copied block by block into a small int array (it stays in L1) and checked
 * there with a loop C2 vectorises: 8.6 GB/s on this project's 2-core box, against 2.6 GB/s for
 * the same test read through {@code DirectBuffer.getLong}, whose bounds check per read keeps the
 * loop scalar. The check runs on every pushed and every averaged byte, so this matters: at 2.6
 * GB/s it cost as much as the MAC. Works on array-backed and off-heap buffers alike.
 *
 * <p>One instance per thread (the block is reused).
 */
final class FiniteCheck {

    private static final int BLOCK = 1024;
    private static final long INT_BASE = UnsafeApi.arrayBaseOffset(int[].class);
    private static final int EXPONENT = 0x7f800000;

    private final int[] block = new int[BLOCK];

    /** True if every float of {@code buffer[offset, offset + length)} is finite ({@code length} a multiple of 4). */
    boolean allFinite(DirectBuffer buffer, int offset, int length) {
        buffer.boundsCheck(offset, length);
        byte[] array = buffer.byteArray();
        long address = buffer.addressOffset() + offset;
        int floats = length >>> 2;
        int[] b = block;
        int hits = 0;
        for (int at = 0; at < floats; at += BLOCK) {
            int m = Math.min(BLOCK, floats - at);
            UnsafeApi.copyMemory(array, address + 4L * at, b, INT_BASE, 4L * m);
            // A float is NaN or infinite <=> its exponent bits are all ones <=> (~bits & E) == 0,
            // and then (~bits & E) - 1 is negative; for any other float it is >= 0x7fffff.
            for (int i = 0; i < m; i++) {
                hits |= (~b[i] & EXPONENT) - 1;
            }
        }
        return hits >= 0;
    }
}
