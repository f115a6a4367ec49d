package io.alexnetspark.paramserver;

import java.nio.ByteOrder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over the fixed 96-byte message header (little-endian). The payload, if any, follows
 * the header directly.
 *
 * <pre>
 * offset size field
 *  0      4   magic          0x31535041 ("APS1")
 *  4      2   version        1
 *  6      2   type           {@link #PUSH}, {@link #AVERAGE}, {@link #PULL}, {@link #SEED},
 *                            {@link #ROUND_QUERY}, {@link #ROUND_INFO}, {@link #HELLO}
 *  8      8   job id
 * 16      8   round          HELLO: the worker's stamp
 * 24      8   byte offset    of the payload in the whole vector; ROUND_QUERY and ROUND_INFO: the
 *                            query's nonce (the answer echoes it); PULL: the ticket
 * 32      4   worker id      sender (PUSH, PULL); AVERAGE: -1 ({@link #SERVER_SENDER}), or -2 for a
 *                            final chunk sent before its round closed ({@link #EARLY_SENDER})
 * 36      4   shard
 * 40      4   chunk index    ROUND_INFO, PULL: low half of the shard's incarnation
 * 44      4   chunk count    chunks of this shard in this message's round; ROUND_INFO, PULL: high
 *                            half of the incarnation
 * 48      4   payload length bytes after the header
 * 52      4   aux            AVERAGE: workers that contributed to this chunk; ROUND_INFO: the ticket
 *                            a PULL of the querying worker must carry; else 0
 * 56      4   crc32c         of the payload
 * 60      4   mac id         {@link MacAlgorithm#id()}: 0 HMAC-SHA256, 1 AES-GCM
 * 64     32   mac            HMAC-SHA256 over bytes [0, 64) and the payload; or AES-GCM: 16-byte
 *                            tag, 12-byte nonce, 4 zero bytes (see {@link MacAlgorithm#AES_GCM}),
 *                            under the sender's key for its purpose ({@link JobKeys})
 * 96          payload        float32 little-endian
 * </pre>
 *
 * The header is a multiple of 8 bytes so the payload stays 8-byte aligned in a reassembly buffer.
 */
public final class MessageHeader {

    public static final int MAGIC = 0x31535041;
    public static final short VERSION = 1;

    /** Worker to server: one chunk of a worker's parameters for a round. */
    public static final short PUSH = 1;
    /** Server to workers: one chunk of the average of a round (also the answer to PULL). */
    public static final short AVERAGE = 2;
    /** Worker to server: send me the latest complete average of your shard. */
    public static final short PULL = 3;

    /**
     * Worker to server: one chunk of a vector that replaces the shard's latest average as round
     * {@code round} (which must be newer than the shard's latest) once all the shard's chunks are in;
     * the open round's pushes so far are discarded. How a job (re)starts a server that outlives its
     * workers, without a round of identical pushes.
     */
    public static final short SEED = 4;
    /** Worker to server: which round do you hold, and which incarnation are you? Header only, with a nonce. */
    public static final short ROUND_QUERY = 5;
    /**
     * Server to workers: the answer to a ROUND_QUERY: the shard's latest complete round, the query's
     * nonce, and the shard's incarnation (random per server start: a restarted server is told apart
     * from one that merely holds the same round).
     */
    public static final short ROUND_INFO = 6;
    /**
     * Worker to server (UDP): send this shard's averages for me to the endpoint in the payload
     * ("host:port", ASCII). The round field carries the worker's stamp (its start time in
     * microseconds): a shard takes a worker's HELLO only if it is not older than the last one it took.
     * An empty payload says the worker's client is closing: its stream is closed at once.
     */
    public static final short HELLO = 7;
    /**
     * Driver to a dedicated server's lobby (see {@code ServerLobby}), under the server's own job id:
     * aux {@link #CLAIM_ASK} asks for a challenge (byte offset: the driver's nonce), {@link #CLAIM_TAKE}
     * claims the server for run {@code round} (byte offset: the challenge), {@link #CLAIM_RELEASE}
     * gives run {@code round} up (byte offset: the driver's nonce). Payload: the driver's endpoint for answers ("host:port").
     */
    public static final short CLAIM = 8;
    /**
     * Lobby to driver: aux {@link #ANSWER_CHALLENGE} (round: the challenge), {@link #ANSWER_BOUND}
     * (round: the run now served), {@link #ANSWER_REFUSED} (round: the run it serves; chunk index:
     * seconds since that run's last message; chunk count: the lease in seconds), {@link #ANSWER_RELEASED}
     * (round: the run given up; also when it was not served). Byte offset: the nonce or challenge answered.
     */
    public static final short CLAIM_ANSWER = 9;
    public static final int CLAIM_ASK = 0;
    public static final int CLAIM_TAKE = 1;
    public static final int CLAIM_RELEASE = 2;
    public static final int ANSWER_CHALLENGE = 0;
    public static final int ANSWER_BOUND = 1;
    public static final int ANSWER_REFUSED = 2;
    public static final int ANSWER_RELEASED = 3;

    /** Worker id field of an AVERAGE chunk of a closed round (the latest complete average). */
    public static final int SERVER_SENDER = -1;
    /**
     * Worker id field of an AVERAGE chunk sent early, before its round closed: all W workers pushed
     * that chunk, so its mean is final (see {@code ShardServer}). Workers awaiting that round take
     * it; a PULL, which wants the latest complete average, ignores it.
     */
    public static final int EARLY_SENDER = -2;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int TYPE_OFFSET = 6;
    static final int JOB_OFFSET = 8;
    static final int ROUND_OFFSET = 16;
    static final int BYTE_OFFSET_OFFSET = 24;
    static final int WORKER_OFFSET = 32;
    static final int SHARD_OFFSET = 36;
    static final int CHUNK_INDEX_OFFSET = 40;
    static final int CHUNK_COUNT_OFFSET = 44;
    static final int PAYLOAD_LENGTH_OFFSET = 48;
    static final int AUX_OFFSET = 52;
    static final int CRC_OFFSET = 56;
    static final int RESERVED_OFFSET = 60;
    /** Bytes covered by the HMAC before the payload: everything up to the tag. */
    public static final int SIGNED_HEADER_LENGTH = 64;
    public static final int HMAC_OFFSET = 64;
    public static final int HMAC_LENGTH = 32;
    public static final int LENGTH = 96;

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private DirectBuffer buffer;
    private int offset;

    /** Points the flyweight at a header; nothing is copied. */
    public MessageHeader wrap(DirectBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public DirectBuffer buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int magic() {
        return buffer.getInt(offset + MAGIC_OFFSET, LE);
    }

    public short version() {
        return buffer.getShort(offset + VERSION_OFFSET, LE);
    }

    public short type() {
        return buffer.getShort(offset + TYPE_OFFSET, LE);
    }

    public long jobId() {
        return buffer.getLong(offset + JOB_OFFSET, LE);
    }

    public long round() {
        return buffer.getLong(offset + ROUND_OFFSET, LE);
    }

    public long byteOffset() {
        return buffer.getLong(offset + BYTE_OFFSET_OFFSET, LE);
    }

    public int workerId() {
        return buffer.getInt(offset + WORKER_OFFSET, LE);
    }

    public int shard() {
        return buffer.getInt(offset + SHARD_OFFSET, LE);
    }

    public int chunkIndex() {
        return buffer.getInt(offset + CHUNK_INDEX_OFFSET, LE);
    }

    public int chunkCount() {
        return buffer.getInt(offset + CHUNK_COUNT_OFFSET, LE);
    }

    public int payloadLength() {
        return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LE);
    }

    public int aux() {
        return buffer.getInt(offset + AUX_OFFSET, LE);
    }

    public int crc() {
        return buffer.getInt(offset + CRC_OFFSET, LE);
    }

    /** Which MAC signed the message ({@link MacAlgorithm#id()}); the field was "reserved, 0" before. */
    public int macId() {
        return buffer.getInt(offset + RESERVED_OFFSET, LE);
    }

    /** Offset of the payload in the wrapped buffer. */
    public int payloadOffset() {
        return offset + LENGTH;
    }

    /**
     * Writes every field but the CRC and the HMAC (see {@link MessageCodec#sign}) into a header
     * buffer. Allocation-free.
     */
    public static void write(MutableDirectBuffer dst, int at, short type, long jobId, long round, long byteOffset,
                             int workerId, int shard, int chunkIndex, int chunkCount, int payloadLength, int aux) {
        dst.putInt(at + MAGIC_OFFSET, MAGIC, LE);
        dst.putShort(at + VERSION_OFFSET, VERSION, LE);
        dst.putShort(at + TYPE_OFFSET, type, LE);
        dst.putLong(at + JOB_OFFSET, jobId, LE);
        dst.putLong(at + ROUND_OFFSET, round, LE);
        dst.putLong(at + BYTE_OFFSET_OFFSET, byteOffset, LE);
        dst.putInt(at + WORKER_OFFSET, workerId, LE);
        dst.putInt(at + SHARD_OFFSET, shard, LE);
        dst.putInt(at + CHUNK_INDEX_OFFSET, chunkIndex, LE);
        dst.putInt(at + CHUNK_COUNT_OFFSET, chunkCount, LE);
        dst.putInt(at + PAYLOAD_LENGTH_OFFSET, payloadLength, LE);
        dst.putInt(at + AUX_OFFSET, aux, LE);
        dst.putInt(at + CRC_OFFSET, 0, LE);
        dst.putInt(at + RESERVED_OFFSET, 0, LE);
    }

    static void putCrc(MutableDirectBuffer dst, int at, int crc) {
        dst.putInt(at + CRC_OFFSET, crc, LE);
    }

    static void putMacId(MutableDirectBuffer dst, int at, int id) {
        dst.putInt(at + RESERVED_OFFSET, id, LE);
    }
}
