package io.alexnetspark.paramserver;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts rejected messages by {@link DropReason}. Written by the receiving thread, read by anyone
 * (metrics, tests), hence one {@link AtomicLong} per reason.
 */
public final class DropCounters {

    private final AtomicLong[] counters = new AtomicLong[DropReason.values().length];

    public DropCounters() {
        for (int i = 0; i < counters.length; i++) {
            counters[i] = new AtomicLong();
        }
    }

    /** Counts one drop; allocation-free, called on the hot path. */
    public void increment(DropReason reason) {
        counters[reason.ordinal()].incrementAndGet();
    }

    public long get(DropReason reason) {
        return counters[reason.ordinal()].get();
    }

    /** Sum over all reasons. */
    public long total() {
        long sum = 0;
        for (AtomicLong c : counters) {
            sum += c.get();
        }
        return sum;
    }

    /** A copy of the non-zero counters, for logs and stats records. */
    public Map<DropReason, Long> snapshot() {
        Map<DropReason, Long> copy = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long v = get(r);
            if (v != 0) {
                copy.put(r, v);
            }
        }
        return copy;
    }

    @Override
    public String toString() {
        return snapshot().toString();
    }
}
