package io.alexnetspark.paramserver;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.util.zip.CRC32C;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Signs outgoing and checks incoming messages: the frame (magic, version, length, job id) and the
 * integrity (CRC32C of the payload, then the job's keyed MAC, see {@link MacAlgorithm}, over the
 * signed header and the payload).
 *
 * <p>One instance per thread: the {@link Mac} or {@link Cipher} and the {@link CRC32C} are reused.
 * HMAC-SHA256 allocates only inside the JDK's {@code Mac.doFinal} (48 B per call); AES-GCM
 * allocates its parameter spec and the JDK's per-message GCM state on every message (see
 * {@code AllocationTest}). Incoming messages must be array-backed (see {@link InboundBuffer});
 * outgoing payloads are a {@link ByteBuffer} view whose position and limit delimit the payload.
 */
public final class MessageCodec {

    private static final String HMAC = "HmacSHA256";
    private static final String GCM = "AES/GCM/NoPadding";
    /** GCM tag and nonce sizes, and where they sit in the header's 32-byte MAC field. */
    static final int GCM_TAG_LENGTH = 16;
    static final int GCM_NONCE_LENGTH = 12;
    static final int GCM_NONCE_OFFSET = MessageHeader.HMAC_OFFSET + GCM_TAG_LENGTH;
    /**
     * The payload goes through the cipher in pieces of this size (the ciphertext lands in a small
     * scratch array). Small pieces make the JIT compile GHASH with its intrinsic sooner: C2 compiles
     * the caller after ~10,000 calls, which at 64 KB pieces took ~600 MB of interpreted GHASH at
     * 80-240 MB/s (a first round of 3.4 s instead of 1.3 s at N = 2); at 8 KB the steady rate is the
     * same within this box's noise.
     */
    private static final int GCM_PIECE = 8 * 1024;
    private static final byte[] GCM_KEY_LABEL = "alexnet-paramserver AES-GCM MAC key v1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final long jobId;
    private final MacAlgorithm algorithm;
    private final Mac mac;
    private final Cipher cipher;
    private final SecretKeySpec aesKey;
    private final byte[] gcmIn;
    private final byte[] gcmOut;
    private final byte[] nonce = new byte[GCM_NONCE_LENGTH];
    private long noncePrefix;
    private int nonceCounter;
    private final CRC32C crc = new CRC32C();
    private final byte[] tag = new byte[MessageHeader.HMAC_LENGTH];

    /** A codec with HMAC-SHA256 (the wire format's original MAC). */
    public MessageCodec(long jobId, byte[] secret) {
        this(jobId, secret, MacAlgorithm.HMAC_SHA256);
    }

    /**
     * @param jobId     the job's id; messages of other jobs are rejected
     * @param secret    the job's secret (kept only inside the {@link Mac}, or the AES key derived from it)
     * @param algorithm the job's MAC
     */
    public MessageCodec(long jobId, byte[] secret, MacAlgorithm algorithm) {
        this.jobId = jobId;
        this.algorithm = algorithm;
        try {
            Mac hmac = Mac.getInstance(HMAC);
            hmac.init(new SecretKeySpec(secret, HMAC));
            if (algorithm == MacAlgorithm.HMAC_SHA256) {
                this.mac = hmac;
                this.cipher = null;
                this.aesKey = null;
                this.gcmIn = null;
                this.gcmOut = null;
            } else {
                // A key of its own for AES, derived from the secret (never the secret itself).
                byte[] derived = hmac.doFinal(GCM_KEY_LABEL);
                this.aesKey = new SecretKeySpec(derived, 0, 16, "AES");
                java.util.Arrays.fill(derived, (byte) 0);
                this.mac = null;
                this.cipher = Cipher.getInstance(GCM);
                this.gcmIn = new byte[GCM_PIECE];
                this.gcmOut = new byte[GCM_PIECE + 2 * GCM_TAG_LENGTH];
                newNoncePrefix();
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " unavailable", e);
        }
    }

    public long jobId() {
        return jobId;
    }

    public MacAlgorithm algorithm() {
        return algorithm;
    }

    /**
     * Fills in the CRC, the MAC id and the MAC of a header already written with {@link MessageHeader#write}.
     *
     * @param header  array-backed buffer holding the header at offset 0
     * @param payload view of the payload between its position and limit (position and limit are
     *                restored), or null for none
     */
    public void sign(UnsafeBuffer header, ByteBuffer payload) {
        byte[] h = header.byteArray();
        int base = (int) header.wrapAdjustment();
        int crcValue = 0;
        boolean hasPayload = payload != null && payload.hasRemaining();
        if (hasPayload) {
            int pos = payload.position();
            crc.reset();
            crc.update(payload);
            crcValue = (int) crc.getValue();
            payload.position(pos);
        }
        MessageHeader.putCrc(header, 0, crcValue);
        MessageHeader.putMacId(header, 0, algorithm.id());
        if (algorithm == MacAlgorithm.HMAC_SHA256) {
            mac.update(h, base, MessageHeader.SIGNED_HEADER_LENGTH);
            if (hasPayload) {
                int pos = payload.position();
                mac.update(payload);
                payload.position(pos);
            }
            doFinal(h, base + MessageHeader.HMAC_OFFSET);
            return;
        }
        nextNonce(h, base + GCM_NONCE_OFFSET);
        for (int i = GCM_NONCE_OFFSET + GCM_NONCE_LENGTH; i < MessageHeader.LENGTH; i++) {
            h[base + i] = 0;
        }
        try {
            gcmInit(h, base + GCM_NONCE_OFFSET);
            cipher.updateAAD(h, base, MessageHeader.SIGNED_HEADER_LENGTH);
            if (hasPayload) {
                int at = payload.position();
                int end = payload.limit();
                while (at < end) {
                    int n = Math.min(GCM_PIECE, end - at);
                    byte[] array = payload.hasArray() ? payload.array() : null;
                    if (array != null) {
                        cipher.update(array, payload.arrayOffset() + at, n, gcmOut, 0);
                    } else {
                        payload.get(at, gcmIn, 0, n);
                        cipher.update(gcmIn, 0, n, gcmOut, 0);
                    }
                    at += n;
                }
            }
            int n = cipher.doFinal(gcmOut, 0);
            System.arraycopy(gcmOut, n - GCM_TAG_LENGTH, h, base + MessageHeader.HMAC_OFFSET, GCM_TAG_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM signing failed", e);
        }
    }

    /** Whether a wrapped header starts as ours does: magic, then version; null if it does. */
    static DropReason checkStart(MessageHeader header) {
        if (header.magic() != MessageHeader.MAGIC) {
            return DropReason.BAD_MAGIC;
        }
        return header.version() != MessageHeader.VERSION ? DropReason.BAD_VERSION : null;
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
        DropReason start = checkStart(header);
        if (start != null) {
            return start;
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
     * Checks the payload CRC (cheap, catches corruption) and then the MAC (authenticity of header
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
        if (header.macId() != algorithm.id()) {
            return DropReason.BAD_HMAC; // signed with another MAC (or the field was changed: the MAC would fail too)
        }
        int tagLength;
        if (algorithm == MacAlgorithm.HMAC_SHA256) {
            mac.update(array, base, MessageHeader.SIGNED_HEADER_LENGTH);
            mac.update(array, base + MessageHeader.LENGTH, payloadLength);
            doFinal(tag, 0);
            tagLength = MessageHeader.HMAC_LENGTH;
        } else {
            // The 4 bytes after the nonce are not covered by the tag: they must be zero, so that no
            // byte of a header can be changed unnoticed.
            for (int i = GCM_NONCE_OFFSET + GCM_NONCE_LENGTH; i < MessageHeader.LENGTH; i++) {
                if (array[base + i] != 0) {
                    return DropReason.BAD_HMAC;
                }
            }
            try {
                gcmInit(array, base + GCM_NONCE_OFFSET);
                cipher.updateAAD(array, base, MessageHeader.SIGNED_HEADER_LENGTH);
                int at = base + MessageHeader.LENGTH;
                int end = at + payloadLength;
                while (at < end) {
                    int n = Math.min(GCM_PIECE, end - at);
                    cipher.update(array, at, n, gcmOut, 0);
                    at += n;
                }
                int n = cipher.doFinal(gcmOut, 0);
                System.arraycopy(gcmOut, n - GCM_TAG_LENGTH, tag, 0, GCM_TAG_LENGTH);
            } catch (GeneralSecurityException e) {
                return DropReason.BAD_HMAC;
            }
            tagLength = GCM_TAG_LENGTH;
        }
        // Constant time: do not tell an attacker how many leading bytes of a forged tag were right.
        int diff = 0;
        int tagAt = base + MessageHeader.HMAC_OFFSET;
        for (int i = 0; i < tagLength; i++) {
            diff |= tag[i] ^ array[tagAt + i];
        }
        return diff == 0 ? null : DropReason.BAD_HMAC;
    }

    private void gcmInit(byte[] ivSource, int ivOffset) throws GeneralSecurityException {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(GCM_TAG_LENGTH * 8, ivSource, ivOffset, GCM_NONCE_LENGTH));
        } catch (InvalidAlgorithmParameterException e) {
            // The JDK refuses two encryptions in a row under one nonce ("Cannot reuse iv"): that is a
            // verifier seeing the same message twice (a duplicate or a replay, dropped later by the
            // round checks). Step over it with a nonce nobody sends, then compute the tag.
            byte[] other = new byte[GCM_NONCE_LENGTH];
            nextNonce(other, 0);
            cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(GCM_TAG_LENGTH * 8, other));
            cipher.init(Cipher.ENCRYPT_MODE, aesKey, new GCMParameterSpec(GCM_TAG_LENGTH * 8, ivSource, ivOffset, GCM_NONCE_LENGTH));
        }
    }

    /** Writes a fresh nonce: this codec's random 64-bit prefix and a 32-bit counter (a new prefix when it wraps). */
    private void nextNonce(byte[] dst, int at) {
        if (++nonceCounter == 0) {
            newNoncePrefix();
        }
        long p = noncePrefix;
        for (int i = 0; i < 8; i++) {
            dst[at + i] = (byte) (p >>> (8 * i));
        }
        int c = nonceCounter;
        for (int i = 0; i < 4; i++) {
            dst[at + 8 + i] = (byte) (c >>> (8 * i));
        }
    }

    private void newNoncePrefix() {
        noncePrefix = NONCE_RANDOM.nextLong();
    }

    private static final java.security.SecureRandom NONCE_RANDOM = new java.security.SecureRandom();

    private void doFinal(byte[] out, int at) {
        try {
            mac.doFinal(out, at);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
