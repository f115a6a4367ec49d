package io.alexnetspark.paramserver;

import java.util.function.Consumer;

/**
 * A shard's per-round figures: taken when the round closes, reported ({@link ShardRoundStats}) once
 * every destination took the round's last queued chunk, when its send time is known. Shard thread only.
 */
final class RoundReport {

    private final int shard;
    private final DropCounters drops;
    private final Consumer<ShardRoundStats> listener;
    // The closed round whose queued chunks are still being sent (round < 0: none).
    private long round = -1;
    private int complete;
    private int partial;
    private boolean byQuorum;
    private long collectNs;
    private long averageNs;
    private long bytesIn;
    // The last round whose queued chunks all went out, as the sender reported it.
    private long sentRound = Long.MIN_VALUE;
    private long sentNs;
    private long sentBytes;

    /** @param listener told each round's figures (may be null) */
    RoundReport(int shard, DropCounters drops, Consumer<ShardRoundStats> listener) {
        this.shard = shard;
        this.drops = drops;
        this.listener = listener;
    }

    /**
     * Round {@code r} closed; reported at once if none of its chunks is still queued ({@code allSent}:
     * every chunk went out early), else when the sender says so ({@link #sent}).
     */
    void closed(long r, int completeWorkers, int partialWorkers, boolean quorum, long collectNanos, long averageNanos,
                long bytes, boolean allSent) {
        round = r;
        complete = completeWorkers;
        partial = partialWorkers;
        byQuorum = quorum;
        collectNs = collectNanos;
        averageNs = averageNanos;
        bytesIn = bytes;
        if (allSent) {
            report();
        }
    }

    /** The sender's word: every destination took the last queued chunk of round {@code r}. */
    void sent(long r, long sendNanos, long bytes) {
        sentRound = r;
        sentNs = sendNanos;
        sentBytes = bytes;
        if (r == round) {
            report();
        }
    }

    /** The shard's latest was replaced (a seed): the round being reported is gone. */
    void forget() {
        round = -1;
    }

    private void report() {
        long r = round;
        round = -1;
        if (listener != null) {
            listener.accept(new ShardRoundStats(shard, r, complete, partial, byQuorum, collectNs, averageNs,
                sentRound == r ? sentNs : 0, bytesIn, sentRound == r ? sentBytes : 0, drops.total()));
        }
    }
}
