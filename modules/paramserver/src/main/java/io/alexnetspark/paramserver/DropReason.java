package io.alexnetspark.paramserver;

/** Why a received message was rejected. Each reason has its own counter in {@link DropCounters}. */
public enum DropReason {
    /** Shorter than the header, or the header's payload length disagrees with the message length. */
    TRUNCATED,
    /** Not our magic number: not a parameter-server message at all. */
    BAD_MAGIC,
    /** A protocol version this build does not speak. */
    BAD_VERSION,
    /** A message type this endpoint does not accept (e.g. an AVERAGE sent to the server). */
    UNEXPECTED_TYPE,
    /** Another job's message (same ports, different run). */
    WRONG_JOB,
    /** Worker id, shard, chunk index/count, byte offset or chunk length outside the layout. */
    OUT_OF_RANGE,
    /** CRC32C of the payload does not match: corrupted in transit. */
    BAD_CRC,
    /** HMAC-SHA256 tag does not match: wrong secret (token) or tampered header. */
    BAD_HMAC,
    /** Push for a round that is already closed: a late worker or a replay. */
    STALE_ROUND,
    /** Push for a round after the open one: the worker skipped a round without pulling. */
    FUTURE_ROUND,
    /** The same chunk from the same worker twice in one round: a replay or a duplicate. */
    DUPLICATE_CHUNK,
    /** The payload holds NaN or an infinity. */
    NOT_FINITE,
    /**
     * More requests than a worker may make: round queries beyond the shard's queue, or a full
     * average asked for again within the same round and second (see {@code AnswerLimiter}).
     */
    RATE_LIMITED,
    /** Longer than the largest message of the layout (header + largest chunk): dropped before buffering. */
    OVERSIZED,
    /**
     * From an Aeron session beyond the number a stream keeps state for: the stream's honest
     * senders are few (workers, or the server's shards), so a flood of new sessions is refused.
     */
    SESSION_LIMIT,
    /** Addressed to another incarnation of the server (a restarted one, or a recorded message). */
    STALE_INCARNATION,
    /** A request carrying a ticket that was already used or never issued: a replay. */
    REPLAYED
}
