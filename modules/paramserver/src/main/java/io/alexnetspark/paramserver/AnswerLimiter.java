package io.alexnetspark.paramserver;

/**
 * How often a shard sends its whole latest average on one worker's behalf (a PULL answer, or the
 * resend for a straggler's late push): once per closed round, and otherwise at most once per
 * {@code interval}. Such an answer costs a shard's whole range on the wire (249.5 MB for AlexNet
 * over all shards), so a worker, or anyone replaying one, cannot make a shard stream without end.
 * Used from the shard's thread only.
 */
final class AnswerLimiter {

    private final long intervalNs;
    private final long[] lastRound;
    private final long[] lastNs;

    AnswerLimiter(int workers, long intervalNs) {
        this.intervalNs = intervalNs;
        this.lastRound = new long[workers];
        this.lastNs = new long[workers];
        java.util.Arrays.fill(lastRound, Long.MIN_VALUE);
    }

    /** Whether worker {@code w} may have a full answer now, at the shard's latest round; changes nothing. */
    boolean allows(int worker, long latestRound, long nowNs) {
        return latestRound > lastRound[worker] || nowNs - lastNs[worker] >= intervalNs;
    }

    /** Records a full answer granted to worker {@code w}. */
    void granted(int worker, long latestRound, long nowNs) {
        lastRound[worker] = latestRound;
        lastNs[worker] = nowNs;
    }
}
