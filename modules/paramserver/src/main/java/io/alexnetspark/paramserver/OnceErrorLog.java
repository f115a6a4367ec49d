package io.alexnetspark.paramserver;

import org.agrona.ErrorHandler;
import org.slf4j.Logger;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An Aeron error handler that logs each kind of error once (with its stack trace) and its repeats
 * as a count at most once a minute: a closed connection or a vanished driver is reported on every
 * duty cycle, which would otherwise flood the log in a tight loop.
 */
final class OnceErrorLog implements ErrorHandler {

    private static final long SUMMARY_NS = TimeUnit.MINUTES.toNanos(1);
    private static final int MAX_KINDS = 256;

    private final Logger log;
    private final String what;
    private final Map<String, Repeats> seen = new ConcurrentHashMap<>();

    private static final class Repeats {
        final AtomicLong suppressed = new AtomicLong();
        volatile long lastSummaryNs = System.nanoTime();
    }

    OnceErrorLog(Logger log, String what) {
        this.log = log;
        this.what = what;
    }

    @Override
    public void onError(Throwable t) {
        String kind = t.getClass().getName() + ": " + t.getMessage();
        Repeats r = seen.get(kind);
        if (r == null && seen.size() < MAX_KINDS) {
            Repeats fresh = new Repeats();
            r = seen.putIfAbsent(kind, fresh);
            if (r == null) {
                log.warn("{} error (repeats are counted, not logged)", what, t);
                return;
            }
        }
        if (r == null) {
            return; // too many kinds to track: the first of each was logged
        }
        long n = r.suppressed.incrementAndGet();
        long now = System.nanoTime();
        if (now - r.lastSummaryNs >= SUMMARY_NS) {
            r.lastSummaryNs = now;
            r.suppressed.addAndGet(-n);
            log.warn("{} error repeated {} times in the last minute: {}", what, n, kind);
        }
    }

    /** How many repeats of errors of this text are waiting for their summary (tests). */
    long pending(String kindPrefix) {
        return seen.entrySet().stream().filter(e -> e.getKey().startsWith(kindPrefix))
            .mapToLong(e -> e.getValue().suppressed.get()).sum();
    }
}
