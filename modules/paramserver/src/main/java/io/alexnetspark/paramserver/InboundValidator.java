package io.alexnetspark.paramserver;

import org.agrona.DirectBuffer;

/**
 * Checks every inbound message in one order, for the server's shards and the workers alike:
 *
 * <ol>
 *   <li>length: at most the layout's largest message, at least a header;</li>
 *   <li>frame: magic, version, declared payload length, job id;</li>
 *   <li>whether the endpoint wants it at all ({@link Rules#wanted}: e.g. an average of a round a
 *       worker does not await; skipped unchecked and uncounted, nothing changes);</li>
 *   <li>shape against the layout ({@link Rules#shape}: type, sender, shard, chunk, offset, length);</li>
 *   <li>authenticity: CRC32C, then the keyed MAC (constant time), see {@link MessageCodec};</li>
 *   <li>the endpoint's state ({@link Rules#state}: incarnation, round window, duplicates, tickets, rates);</li>
 *   <li>a finite payload, where the type carries floats to be used.</li>
 * </ol>
 *
 * Each rejection is counted under its {@link DropReason}. {@link Rules#accept} is the only place
 * where a message may change state, and it is reached only when every check passed: no header field
 * of an unauthenticated message is ever acted on. Allocation-free; one instance per receiving thread.
 */
final class InboundValidator {

    /** What became of a message: taken, skipped as not wanted, or dropped before or after its MAC. */
    enum Verdict {
        ACCEPTED,
        /** Not for this endpoint right now (unchecked, uncounted, no effect). */
        IGNORED,
        /** Dropped before its MAC was found good: anyone could have sent it. */
        UNAUTHENTIC,
        /**
         * Another job's message (its job id differs): dropped, but not held against its session,
         * which may be shared with this job's own traffic (a stale worker of an earlier incarnation
         * in the same process, on the same ports).
         */
        FOREIGN,
        /** Authentic, but refused by the endpoint's state (stale, duplicate, replayed, not finite...). */
        REFUSED
    }

    /** What an endpoint checks beyond the common frame and MAC, and what it does with a message that passed. */
    interface Rules {
        /** Before the MAC, cheaply: whether this message is of interest now. Must not change state. */
        boolean wanted(MessageHeader header);

        /** Before the MAC: the message's shape against the layout; null if sound. Must not change state. */
        DropReason shape(MessageHeader header);

        /** The codec whose key must have signed this (shape-checked) message: its sender's key for its purpose. */
        MessageCodec verifier(MessageHeader header);

        /** After the MAC: the message against the endpoint's state; null if it may be taken. Must not change state. */
        DropReason state(MessageHeader header);

        /** Whether this message's payload must be finite floats. */
        boolean carriesFloats(MessageHeader header);

        /** The message passed every check: the one place where it may change state. */
        void accept(MessageHeader header);

        /** An authentic message was refused for {@code reason} (already counted); by default nothing happens. */
        default void refused(MessageHeader header, DropReason reason) {
        }
    }

    private final MessageCodec codec;
    private final DropCounters drops;
    private final int maxLength;
    private final MessageHeader header = new MessageHeader();
    private final InboundBuffer inbound;
    private final FiniteCheck finite = new FiniteCheck();

    /**
     * @param codec     a codec of the job (the frame check: its job id); MACs are checked with
     *                  {@link Rules#verifier}'s
     * @param maxLength the largest message of the layout: header plus the largest chunk
     * @param drops     where rejections are counted
     */
    InboundValidator(MessageCodec codec, int maxLength, DropCounters drops) {
        this.codec = codec;
        this.maxLength = maxLength;
        this.drops = drops;
        this.inbound = new InboundBuffer(maxLength);
    }

    int maxLength() {
        return maxLength;
    }

    DropCounters drops() {
        return drops;
    }

    /** Runs every check on one whole message and hands it to {@code rules} if it passes. */
    Verdict onMessage(DirectBuffer buffer, int offset, int length, Rules rules) {
        if (length > maxLength) {
            return drop(DropReason.OVERSIZED, Verdict.UNAUTHENTIC);
        }
        DirectBuffer view = inbound.arrayBacked(buffer, offset, length);
        int at = view == buffer ? offset : 0;
        DropReason reason = codec.checkFrame(view, at, length, header);
        if (reason != null) {
            return drop(reason, reason == DropReason.WRONG_JOB ? Verdict.FOREIGN : Verdict.UNAUTHENTIC);
        }
        if (!rules.wanted(header)) {
            return Verdict.IGNORED;
        }
        reason = rules.shape(header);
        if (reason == null) {
            reason = rules.verifier(header).checkIntegrity(view, at, header);
        }
        if (reason != null) {
            return drop(reason, Verdict.UNAUTHENTIC);
        }
        reason = rules.state(header);
        if (reason == null && header.payloadLength() > 0 && rules.carriesFloats(header)
            && !finite.allFinite(view, header.payloadOffset(), header.payloadLength())) {
            reason = DropReason.NOT_FINITE;
        }
        if (reason != null) {
            drops.increment(reason);
            rules.refused(header, reason);
            return Verdict.REFUSED;
        }
        rules.accept(header);
        return Verdict.ACCEPTED;
    }

    /**
     * The first fragment of a message too long for one frame: its header is checked before a byte
     * of it is buffered, so that nobody can make an endpoint hold more than one largest message per
     * session, whatever length they announce.
     *
     * @return null if the message may be reassembled, else why not (not yet counted)
     */
    DropReason checkFirstFragment(DirectBuffer buffer, int offset, int length) {
        if (length < MessageHeader.LENGTH) {
            return DropReason.TRUNCATED;
        }
        header.wrap(buffer, offset);
        DropReason start = MessageCodec.checkStart(header);
        if (start != null) {
            return start;
        }
        int payload = header.payloadLength();
        if (payload < 0 || payload > maxLength - MessageHeader.LENGTH) {
            return DropReason.OVERSIZED;
        }
        if (header.jobId() != codec.jobId()) {
            return DropReason.WRONG_JOB;
        }
        return null;
    }

    void count(DropReason reason) {
        drops.increment(reason);
    }

    private Verdict drop(DropReason reason, Verdict verdict) {
        drops.increment(reason);
        return verdict;
    }
}
