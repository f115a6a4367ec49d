package io.alexnetspark.paramserver;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Gives {@link MessageCodec} an array-backed view of an inbound message without allocating.
 *
 * <p>Messages longer than one MTU arrive reassembled by Aeron's {@code FragmentAssembler} in a
 * heap array already (zero copy). Short ones are handed over straight from the off-heap term
 * buffer; those (at most one MTU) are copied into a preallocated scratch array, so the JDK's
 * array-based CRC32C and HMAC paths can be used for every message.
 */
final class InboundBuffer {

    private final UnsafeBuffer scratch;

    InboundBuffer(int capacity) {
        this.scratch = new UnsafeBuffer(new byte[capacity]);
    }

    /** The buffer to read the message from: {@code buffer} itself if array-backed, else the scratch copy. */
    DirectBuffer arrayBacked(DirectBuffer buffer, int offset, int length) {
        if (buffer.byteArray() != null) {
            return buffer;
        }
        scratch.putBytes(0, buffer, offset, length);
        return scratch;
    }
}
