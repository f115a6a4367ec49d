package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every check, with each MAC. */
class MessageCodecTest {

    private static final byte[] KEY = "0123456789abcdef0123".getBytes(StandardCharsets.US_ASCII);
    private MessageCodec codec = new MessageCodec(7, KEY);
    private final MessageHeader header = new MessageHeader();

    private void use(MacAlgorithm mac) {
        codec = new MessageCodec(7, KEY, mac);
    }

    /** A signed PUSH of {@code floats} as one array-backed message. */
    static UnsafeBuffer message(MessageCodec codec, long jobId, long round, float... floats) {
        ByteBuffer payload = ByteBuffer.allocateDirect(floats.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < floats.length; i++) {
            payload.putFloat(4 * i, floats[i]);
        }
        UnsafeBuffer h = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        MessageHeader.write(h, 0, MessageHeader.PUSH, jobId, round, 0, 1, 0, 0, 1, floats.length * 4, 0);
        codec.sign(h, payload);
        UnsafeBuffer msg = new UnsafeBuffer(new byte[MessageHeader.LENGTH + floats.length * 4]);
        msg.putBytes(0, h, 0, MessageHeader.LENGTH);
        msg.putBytes(MessageHeader.LENGTH, payload, 0, floats.length * 4);
        return msg;
    }

    private DropReason check(UnsafeBuffer msg, int length) {
        return check(codec, msg, length);
    }

    private DropReason check(MessageCodec checker, UnsafeBuffer msg, int length) {
        DropReason r = checker.checkFrame(msg, 0, length, header);
        return r != null ? r : checker.checkIntegrity(msg, 0, header);
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void signedMessagePassesAndFieldsRoundTrip(MacAlgorithm mac) {
        use(mac);
        UnsafeBuffer msg = message(codec, 7, 3, 1f, -2.5f, 3f);
        assertThat(check(msg, msg.capacity())).isNull();
        assertThat(header.round()).isEqualTo(3);
        assertThat(header.workerId()).isEqualTo(1);
        assertThat(header.payloadLength()).isEqualTo(12);
        assertThat(header.type()).isEqualTo(MessageHeader.PUSH);
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void corruptedPayloadFailsTheCrc(MacAlgorithm mac) {
        use(mac);
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f);
        msg.putByte(MessageHeader.LENGTH + 1, (byte) (msg.getByte(MessageHeader.LENGTH + 1) ^ 1));
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_CRC);
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void tamperedHeaderFailsTheHmac(MacAlgorithm mac) {
        use(mac);
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f);
        msg.putLong(MessageHeader.ROUND_OFFSET, 4);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_HMAC);
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void anotherSecretFailsTheHmac(MacAlgorithm mac) {
        use(mac);
        MessageCodec intruder = new MessageCodec(7, "not-the-job-secret!!".getBytes(StandardCharsets.US_ASCII), mac);
        UnsafeBuffer msg = message(intruder, 7, 3, 1f, 2f);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_HMAC);
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void otherJobTruncationMagicAndVersionAreCaughtBeforeTheHmac(MacAlgorithm mac) {
        use(mac);
        assertThat(check(message(codec, 8, 3, 1f), MessageHeader.LENGTH + 4)).isEqualTo(DropReason.WRONG_JOB);
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f);
        assertThat(check(msg, msg.capacity() - 4)).isEqualTo(DropReason.TRUNCATED);
        assertThat(check(msg, 40)).isEqualTo(DropReason.TRUNCATED);
        msg.putShort(MessageHeader.VERSION_OFFSET, (short) 9);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_VERSION);
        msg.putInt(MessageHeader.MAGIC_OFFSET, 0xdeadbeef);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_MAGIC);
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void messagesWithoutPayloadAreSignedToo(MacAlgorithm mac) {
        use(mac);
        UnsafeBuffer h = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        MessageHeader.write(h, 0, MessageHeader.PULL, 7, -1, 0, 2, 0, 0, 0, 0, 0);
        codec.sign(h, null);
        assertThat(check(h, MessageHeader.LENGTH)).isNull();
        h.putInt(MessageHeader.WORKER_OFFSET, 3);
        assertThat(check(h, MessageHeader.LENGTH)).isEqualTo(DropReason.BAD_HMAC);
    }

    @Test
    void finiteCheckCatchesNanAndInfinities() {
        assertThat(new FiniteCheck().allFinite(message(codec, 7, 0, 1f, Float.MAX_VALUE, -0f), MessageHeader.LENGTH, 12)).isTrue();
        assertThat(new FiniteCheck().allFinite(message(codec, 7, 0, 1f, Float.NaN), MessageHeader.LENGTH, 8)).isFalse();
        assertThat(new FiniteCheck().allFinite(message(codec, 7, 0, Float.NEGATIVE_INFINITY), MessageHeader.LENGTH, 4)).isFalse();
    }

    @ParameterizedTest
    @EnumSource(MacAlgorithm.class)
    void aTamperedTagOrAnotherMacFails(MacAlgorithm mac) {
        use(mac);
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f);
        msg.putByte(MessageHeader.HMAC_OFFSET + 3, (byte) (msg.getByte(MessageHeader.HMAC_OFFSET + 3) ^ 0x10));
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_HMAC);
        MacAlgorithm other = mac == MacAlgorithm.AES_GCM ? MacAlgorithm.HMAC_SHA256 : MacAlgorithm.AES_GCM;
        UnsafeBuffer signedOtherwise = message(new MessageCodec(7, KEY, other), 7, 3, 1f, 2f);
        assertThat(check(signedOtherwise, signedOtherwise.capacity())).isEqualTo(DropReason.BAD_HMAC);
    }

    @Test
    void gcmTagsCoverTheNonceAndTheSameMessageChecksTwice() {
        use(MacAlgorithm.AES_GCM);
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f, 3f, 4f, 5f);
        // A verifier that sees the same message twice in a row (a duplicate, a replay) computes the same tag again.
        assertThat(check(msg, msg.capacity())).isNull();
        assertThat(check(msg, msg.capacity())).isNull();
        MessageCodec other = new MessageCodec(7, KEY, MacAlgorithm.AES_GCM);
        assertThat(check(other, msg, msg.capacity())).isNull();
        // Two signatures of the same content use fresh nonces.
        UnsafeBuffer again = message(codec, 7, 3, 1f, 2f, 3f, 4f, 5f);
        byte[] n1 = new byte[MessageCodec.GCM_NONCE_LENGTH];
        byte[] n2 = new byte[MessageCodec.GCM_NONCE_LENGTH];
        msg.getBytes(MessageCodec.GCM_NONCE_OFFSET, n1);
        again.getBytes(MessageCodec.GCM_NONCE_OFFSET, n2);
        assertThat(n2).isNotEqualTo(n1);
        assertThat(check(again, again.capacity())).isNull();
        msg.putByte(MessageCodec.GCM_NONCE_OFFSET + 11, (byte) (msg.getByte(MessageCodec.GCM_NONCE_OFFSET + 11) ^ 1));
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_HMAC);
    }

    @Test
    void finiteCheckFindsABadFloatAnywhere() {
        // Longer than two of FiniteCheck's 1024-float blocks, so every block edge is crossed.
        int n = 2 * 1024 + 37;
        FiniteCheck finite = new FiniteCheck();
        float[] nans = {Float.NaN, Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xffc00000),
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] f = new float[n];
        for (int i = 0; i < n; i++) {
            f[i] = (i % 3 == 0 ? -1 : 1) * (i % 5 == 0 ? Float.MAX_VALUE : i * 1.5e-39f * (1 << (i % 24)));
        }
        UnsafeBuffer clean = message(codec, 7, 0, f);
        assertThat(finite.allFinite(clean, MessageHeader.LENGTH, 4 * n)).isTrue();
        ByteBuffer direct = ByteBuffer.allocateDirect(clean.capacity());
        UnsafeBuffer offHeap = new UnsafeBuffer(direct);
        offHeap.putBytes(0, clean, 0, clean.capacity());
        for (int bad = 0; bad < n; bad++) {
            float v = nans[bad % nans.length];
            int at = MessageHeader.LENGTH + 4 * bad;
            int before = clean.getInt(at);
            clean.putFloat(at, v);
            offHeap.putFloat(at, v);
            assertThat(finite.allFinite(clean, MessageHeader.LENGTH, 4 * n)).as("%s at %d", v, bad).isFalse();
            assertThat(finite.allFinite(offHeap, MessageHeader.LENGTH, 4 * n)).as("off-heap %s at %d", v, bad).isFalse();
            // Outside the checked range it does not count.
            assertThat(finite.allFinite(clean, at + 4, 4 * (n - bad - 1))).isTrue();
            clean.putInt(at, before);
            offHeap.putInt(at, before);
        }
        assertThat(finite.allFinite(offHeap, MessageHeader.LENGTH, 4 * n)).isTrue();
    }
}
