package io.alexnetspark.paramserver;

import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.FrameDescriptor;
import io.aeron.logbuffer.Header;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reassembles one subscription's fragmented messages, per Aeron session, within fixed bounds, and
 * hands each whole message to an {@link InboundValidator}. Aeron's own {@code FragmentAssembler}
 * grows a buffer per session to whatever a sender announces and never frees it; here:
 *
 * <ul>
 *   <li>a message's header is checked on its first fragment ({@link InboundValidator#checkFirstFragment}),
 *       and a message longer than the layout's largest is dropped ({@link DropReason#OVERSIZED})
 *       before its bytes are buffered: a session holds at most one largest message;</li>
 *   <li>at most {@code maxSessions} sessions have state. A new session beyond that evicts one that
 *       never delivered an authentic message (those that failed a check first); when every session
 *       is authentic, the new one is refused ({@link DropReason#SESSION_LIMIT});</li>
 *   <li>a session's state is freed when its image goes away (Aeron's unavailable-image callback);</li>
 *   <li>over UDP, the image of a session that never delivered an authentic message is rejected
 *       ({@link Image#reject}) at its first unauthentic one: the media driver stops taking its data.
 *       Never over IPC, where a publication is shared by every local sender.</li>
 * </ul>
 *
 * Used from the one thread that polls; allocation-free but for a new session's state and its
 * buffer (allocated at its first fragmented message).
 */
final class BoundedReassembler implements FragmentHandler {

    private static final Logger LOG = LoggerFactory.getLogger(BoundedReassembler.class);

    private final InboundValidator validator;
    private final InboundValidator.Rules rules;
    private final int maxSessions;
    private final boolean rejectImages;
    private final String stream;
    private final Int2ObjectHashMap<Session> sessions = new Int2ObjectHashMap<>();
    private final Queue<Integer> closedSessions = new ConcurrentLinkedQueue<>();
    private Subscription subscription;
    // Written by the polling thread only; volatile for monitoring from others.
    private volatile int sessionCount;
    private volatile long retainedBytes;
    private volatile long rejectedImages;
    private volatile long evictedSessions;
    private int rejectionsLogged;

    /**
     * @param validator    checks and counts every message
     * @param rules        the endpoint's checks and actions
     * @param maxSessions  sessions with state at once
     * @param rejectImages reject the images of unauthentic sessions (UDP only)
     * @param stream       names the stream in log lines
     */
    BoundedReassembler(InboundValidator validator, InboundValidator.Rules rules, int maxSessions, boolean rejectImages,
                       String stream) {
        this.validator = validator;
        this.rules = rules;
        this.maxSessions = maxSessions;
        this.rejectImages = rejectImages;
        this.stream = stream;
    }

    /** The subscription this reassembler reads (for rejecting images); set once it exists. */
    void bind(Subscription subscription) {
        this.subscription = subscription;
    }

    /** Aeron's unavailable-image callback (client conductor thread): the session's state is freed on the next poll. */
    void onUnavailableImage(Image image) {
        closedSessions.add(image.sessionId());
    }

    /** Polls the subscription through this reassembler, after freeing the state of sessions that went away. */
    int poll(Subscription from, int fragmentLimit) {
        Integer closed;
        while ((closed = closedSessions.poll()) != null) {
            forget(closed);
        }
        return from.poll(this, fragmentLimit);
    }

    /** Sessions with state now (any thread). */
    int sessions() {
        return sessionCount;
    }

    /** Bytes of reassembly buffers held now (any thread). */
    long retainedBytes() {
        return retainedBytes;
    }

    private void forget(int sessionId) {
        Session s = sessions.remove(sessionId);
        if (s != null) {
            sessionCount = sessions.size();
            if (s.buffer != null) {
                retainedBytes -= s.buffer.capacity();
            }
        }
    }

    long rejectedImages() {
        return rejectedImages;
    }

    long evictedSessions() {
        return evictedSessions;
    }

    @Override
    public void onFragment(DirectBuffer buffer, int offset, int length, Header header) {
        int sessionId = header.sessionId();
        Session s = sessions.get(sessionId);
        if (s == null) {
            s = admit(sessionId);
            if (s == null) {
                return;
            }
        }
        byte flags = header.flags();
        if ((flags & FrameDescriptor.UNFRAGMENTED) == FrameDescriptor.UNFRAGMENTED) {
            s.length = 0;
            deliver(s, sessionId, buffer, offset, length);
            return;
        }
        if ((flags & FrameDescriptor.BEGIN_FRAG_FLAG) != 0) {
            s.length = 0;
            DropReason reason = validator.checkFirstFragment(buffer, offset, length);
            if (reason != null) {
                validator.count(reason);
                s.skipping = true;
                if (reason != DropReason.WRONG_JOB) {
                    unauthentic(s, sessionId, reason);
                }
                return;
            }
            s.skipping = false;
            if (s.buffer == null) {
                s.buffer = new UnsafeBuffer(new byte[validator.maxLength()]);
                retainedBytes += s.buffer.capacity();
            }
            s.buffer.putBytes(0, buffer, offset, length);
            s.length = length;
            return;
        }
        if (s.skipping || s.length == 0) {
            return; // the rest of a dropped message, or the tail of one begun before this subscription joined
        }
        if (s.length + length > s.buffer.capacity()) {
            validator.count(DropReason.OVERSIZED);
            s.skipping = true;
            s.length = 0;
            unauthentic(s, sessionId, DropReason.OVERSIZED);
            return;
        }
        s.buffer.putBytes(s.length, buffer, offset, length);
        s.length += length;
        if ((flags & FrameDescriptor.END_FRAG_FLAG) != 0) {
            int whole = s.length;
            s.length = 0;
            deliver(s, sessionId, s.buffer, 0, whole);
        }
    }

    private void deliver(Session s, int sessionId, DirectBuffer buffer, int offset, int length) {
        InboundValidator.Verdict verdict = validator.onMessage(buffer, offset, length, rules);
        if (verdict == InboundValidator.Verdict.ACCEPTED || verdict == InboundValidator.Verdict.REFUSED) {
            s.authentic = true;
        } else if (verdict == InboundValidator.Verdict.UNAUTHENTIC) {
            unauthentic(s, sessionId, null);
        }
    }

    /** State for a session seen for the first time, or null if none can be given (counted). */
    private Session admit(int sessionId) {
        if (sessions.size() >= maxSessions && !evictOneUnauthenticated()) {
            validator.count(DropReason.SESSION_LIMIT);
            reject(sessionId, "too many sessions on " + stream);
            return null;
        }
        Session s = new Session();
        sessions.put(sessionId, s);
        sessionCount = sessions.size();
        return s;
    }

    /** Frees a session that never delivered an authentic message, preferring one that failed a check. */
    private boolean evictOneUnauthenticated() {
        int victim = 0;
        int rank = 0; // 2: failed a check, 1: merely unproven
        for (Int2ObjectHashMap<Session>.EntryIterator it = sessions.entrySet().iterator(); it.hasNext(); ) {
            it.next();
            Session s = it.getValue();
            if (!s.authentic && (s.failed ? 2 : 1) > rank) {
                rank = s.failed ? 2 : 1;
                victim = it.getIntKey();
                if (rank == 2) {
                    break;
                }
            }
        }
        if (rank == 0) {
            return false;
        }
        forget(victim);
        evictedSessions++;
        return true;
    }

    private void unauthentic(Session s, int sessionId, DropReason reason) {
        s.failed = true;
        if (!s.authentic && !s.rejected) {
            s.rejected = true;
            reject(sessionId, "unauthenticated messages on " + stream + (reason == null ? "" : " (" + reason + ")"));
        }
    }

    private void reject(int sessionId, String why) {
        if (!rejectImages || subscription == null) {
            return;
        }
        Image image = subscription.imageBySessionId(sessionId);
        if (image == null) {
            return;
        }
        try {
            image.reject(why);
            rejectedImages++;
            // A flood of sessions must not become a flood of log lines: the first few, then every 1000th.
            if (rejectionsLogged < 10 || rejectedImages % 1000 == 0) {
                rejectionsLogged++;
                LOG.warn("rejected Aeron session {} from {}: {} ({} rejected so far)", sessionId, image.sourceIdentity(), why,
                    rejectedImages);
            }
        } catch (RuntimeException e) {
            LOG.warn("could not reject Aeron session {} on {}: {}", sessionId, stream, e.toString());
        }
    }

    /** One session's reassembly state. */
    private static final class Session {
        UnsafeBuffer buffer;
        int length;
        boolean skipping;
        /** Delivered at least one message whose MAC was good. */
        boolean authentic;
        /** Sent at least one message that failed a check before its MAC. */
        boolean failed;
        boolean rejected;
    }
}
