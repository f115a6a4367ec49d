package io.alexnetspark.paramserver;

import java.nio.ByteBuffer;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Signs outgoing and checks incoming messages: the frame (magic, version, length, job id) and the
 * integrity (CRC32C of the payload, then HMAC-SHA256 over the signed header and the payload).
 *
 * <p>One instance per thread: the {@link Mac} and {@link CRC32C} are reused, so signing and
 * checking allocate nothing. Incoming messages must be array-backed (see {@link InboundBuffer});
 * outgoing payloads are a {@link ByteBuffer} view whose position and limit delimit the payload.
 */
public final class MessageCodec {

    private static final String HMAC = "HmacSHA256";

    private final long jobId;
    private final Mac mac;
    private final CRC32C crc = new CRC32C();
    private final byte[] tag = new byte[MessageHeader.HMAC_LENGTH];

    /**
     * @param jobId  the job's id; messages of other jobs are rejected
     * @param secret the job's HMAC key (kept only inside the {@link Mac})
     */
    public MessageCodec(long jobId, byte[] secret) {
        this.jobId = jobId;
        try {
            this.mac = Mac.getInstance(HMAC);
            mac.init(new SecretKeySpec(secret, HMAC));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    public long jobId() {
        return jobId;
    }

    /**
     * Fills in the CRC and the HMAC of a header already written with {@link MessageHeader#write}.
     *
     * @param header  array-backed buffer holding the header at offset 0
     * @param payload view of the payload between its position and limit (position and limit are
     *                restored), or null for none
     */
    public void sign(UnsafeBuffer header, ByteBuffer payload) {
        byte[] h = header.byteArray();
        int base = (int) header.wrapAdjustment();
        int crcValue = 0;
        if (payload != null && payload.hasRemaining()) {
            int pos = payload.position();
            crc.reset();
            crc.update(payload);
            crcValue = (int) crc.getValue();
            payload.position(pos);
        }
        MessageHeader.putCrc(header, 0, crcValue);
        mac.update(h, base, MessageHeader.SIGNED_HEADER_LENGTH);
        if (payload != null && payload.hasRemaining()) {
            int pos = payload.position();
            mac.update(payload);
            payload.position(pos);
        }
        doFinal(h, base + MessageHeader.HMAC_OFFSET);
    }

    /**
     * Checks what can be checked without the layout: length, magic, version, job id.
     *
     * @return null if the frame is sound, else why it is not
     */
    public DropReason checkFrame(DirectBuffer buffer, int offset, int length, MessageHeader header) {
        if (length < MessageHeader.LENGTH) {
            return DropReason.TRUNCATED;
        }
        header.wrap(buffer, offset);
        if (header.magic() != MessageHeader.MAGIC) {
            return DropReason.BAD_MAGIC;
        }
        if (header.version() != MessageHeader.VERSION) {
            return DropReason.BAD_VERSION;
        }
        if (header.payloadLength() != length - MessageHeader.LENGTH) {
            return DropReason.TRUNCATED;
        }
        if (header.jobId() != jobId) {
            return DropReason.WRONG_JOB;
        }
        return null;
    }

    /**
     * Checks the payload CRC (cheap, catches corruption) and then the HMAC (authenticity of header
     * and payload). The message must be array-backed.
     *
     * @return null if both match, else {@link DropReason#BAD_CRC} or {@link DropReason#BAD_HMAC}
     */
    public DropReason checkIntegrity(DirectBuffer buffer, int offset, MessageHeader header) {
        byte[] array = buffer.byteArray();
        if (array == null) {
            throw new IllegalArgumentException("inbound messages must be array-backed (see InboundBuffer)");
        }
        int base = (int) buffer.wrapAdjustment() + offset;
        int payloadLength = header.payloadLength();
        crc.reset();
        crc.update(array, base + MessageHeader.LENGTH, payloadLength);
        if ((int) crc.getValue() != header.crc()) {
            return DropReason.BAD_CRC;
        }
        mac.update(array, base, MessageHeader.SIGNED_HEADER_LENGTH);
        mac.update(array, base + MessageHeader.LENGTH, payloadLength);
        doFinal(tag, 0);
        // Constant time: do not tell an attacker how many leading bytes of a forged tag were right.
        int diff = 0;
        int tagAt = base + MessageHeader.HMAC_OFFSET;
        for (int i = 0; i < MessageHeader.HMAC_LENGTH; i++) {
            diff |= tag[i] ^ array[tagAt + i];
        }
        return diff == 0 ? null : DropReason.BAD_HMAC;
    }

    /** True if every float of the payload is finite (no NaN, no infinity). */
    public static boolean allFinite(DirectBuffer buffer, int payloadOffset, int payloadLength) {
        int end = payloadOffset + payloadLength;
        for (int i = payloadOffset; i < end; i += 4) {
            // Exponent all ones <=> NaN or infinity; an int compare is cheaper than Float.isFinite on the boxed path.
            if ((buffer.getInt(i) & 0x7f800000) == 0x7f800000) {
                return false;
            }
        }
        return true;
    }

    private void doFinal(byte[] out, int at) {
        try {
            mac.doFinal(out, at);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
