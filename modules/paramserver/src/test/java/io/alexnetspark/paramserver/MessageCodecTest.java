package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private static final byte[] KEY = "0123456789abcdef0123".getBytes(StandardCharsets.US_ASCII);
    private final MessageCodec codec = new MessageCodec(7, KEY);
    private final MessageHeader header = new MessageHeader();

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
        DropReason r = codec.checkFrame(msg, 0, length, header);
        return r != null ? r : codec.checkIntegrity(msg, 0, header);
    }

    @Test
    void signedMessagePassesAndFieldsRoundTrip() {
        UnsafeBuffer msg = message(codec, 7, 3, 1f, -2.5f, 3f);
        assertThat(check(msg, msg.capacity())).isNull();
        assertThat(header.round()).isEqualTo(3);
        assertThat(header.workerId()).isEqualTo(1);
        assertThat(header.payloadLength()).isEqualTo(12);
        assertThat(header.type()).isEqualTo(MessageHeader.PUSH);
    }

    @Test
    void corruptedPayloadFailsTheCrc() {
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f);
        msg.putByte(MessageHeader.LENGTH + 1, (byte) (msg.getByte(MessageHeader.LENGTH + 1) ^ 1));
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_CRC);
    }

    @Test
    void tamperedHeaderFailsTheHmac() {
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f);
        msg.putLong(MessageHeader.ROUND_OFFSET, 4);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_HMAC);
    }

    @Test
    void anotherSecretFailsTheHmac() {
        MessageCodec intruder = new MessageCodec(7, "not-the-job-secret!!".getBytes(StandardCharsets.US_ASCII));
        UnsafeBuffer msg = message(intruder, 7, 3, 1f, 2f);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_HMAC);
    }

    @Test
    void otherJobTruncationMagicAndVersionAreCaughtBeforeTheHmac() {
        assertThat(check(message(codec, 8, 3, 1f), MessageHeader.LENGTH + 4)).isEqualTo(DropReason.WRONG_JOB);
        UnsafeBuffer msg = message(codec, 7, 3, 1f, 2f);
        assertThat(check(msg, msg.capacity() - 4)).isEqualTo(DropReason.TRUNCATED);
        assertThat(check(msg, 40)).isEqualTo(DropReason.TRUNCATED);
        msg.putShort(MessageHeader.VERSION_OFFSET, (short) 9);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_VERSION);
        msg.putInt(MessageHeader.MAGIC_OFFSET, 0xdeadbeef);
        assertThat(check(msg, msg.capacity())).isEqualTo(DropReason.BAD_MAGIC);
    }

    @Test
    void messagesWithoutPayloadAreSignedToo() {
        UnsafeBuffer h = new UnsafeBuffer(new byte[MessageHeader.LENGTH]);
        MessageHeader.write(h, 0, MessageHeader.PULL, 7, -1, 0, 2, 0, 0, 0, 0, 0);
        codec.sign(h, null);
        assertThat(check(h, MessageHeader.LENGTH)).isNull();
        h.putInt(MessageHeader.WORKER_OFFSET, 3);
        assertThat(check(h, MessageHeader.LENGTH)).isEqualTo(DropReason.BAD_HMAC);
    }

    @Test
    void finiteCheckCatchesNanAndInfinities() {
        assertThat(MessageCodec.allFinite(message(codec, 7, 0, 1f, Float.MAX_VALUE, -0f), MessageHeader.LENGTH, 12)).isTrue();
        assertThat(MessageCodec.allFinite(message(codec, 7, 0, 1f, Float.NaN), MessageHeader.LENGTH, 8)).isFalse();
        assertThat(MessageCodec.allFinite(message(codec, 7, 0, Float.NEGATIVE_INFINITY), MessageHeader.LENGTH, 4)).isFalse();
    }
}
