package io.alexnetspark.paramserver;

import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What a worker has received of the answer it waits for, and the figures of it: per shard which
 * chunks arrived and of which round, how many are missing, whether the server proved it moved on,
 * and the bytes, times and contributor counts that make its {@link RoundStats}. Two ways of
 * waiting: for the average of one round ({@link #beginAwait}, every chunk of every shard), or for
 * each shard's latest complete average ({@link #beginPull}, where {@link #missing()} counts shards).
 * Used by the one polling thread of a {@link ParameterClient}.
 */
final class RoundReceipt {

    private final ShardLayout layout;
    private final boolean[][] received;
    private final int[] receivedCount;
    /** PULL: the round of the answer being collected per shard (Long.MIN_VALUE: none yet). */
    private final long[] shardRound;
    /** PULL: the oldest round a shard's answer may have (raised when shards disagree). */
    private final long[] minRound;
    private final boolean[] shardComplete;
    private final int[] lastLook;
    private boolean pulling;
    private long awaitRound;
    private long serverAhead;
    private int missing;
    private long bytesIn;
    private long firstChunkNs;
    private long lastChunkNs;
    private int minContributors;
    private int maxContributors;

    RoundReceipt(ShardLayout layout) {
        this.layout = layout;
        int shards = layout.shards();
        this.received = new boolean[shards][];
        for (int s = 0; s < shards; s++) {
            received[s] = new boolean[layout.chunkCount(s)];
        }
        this.receivedCount = new int[shards];
        this.shardRound = new long[shards];
        this.minRound = new long[shards];
        this.shardComplete = new boolean[shards];
        this.lastLook = new int[shards];
    }

    /** Waits for the average of {@code round}: every chunk of every shard. */
    void beginAwait(long round) {
        reset(false, round);
        missing = layout.totalChunks();
    }

    /** Waits for each shard's latest complete average; {@link #missing()} counts the incomplete shards. */
    void beginPull() {
        reset(true, 0);
        Arrays.fill(shardRound, Long.MIN_VALUE);
        Arrays.fill(minRound, Long.MIN_VALUE);
        Arrays.fill(shardComplete, false);
        Arrays.fill(lastLook, 0);
        missing = layout.shards();
    }

    private void reset(boolean pull, long round) {
        for (int s = 0; s < layout.shards(); s++) {
            Arrays.fill(received[s], false);
            receivedCount[s] = 0;
        }
        pulling = pull;
        awaitRound = round;
        serverAhead = -1;
        bytesIn = 0;
        firstChunkNs = -1;
        lastChunkNs = -1;
        minContributors = Integer.MAX_VALUE;
        maxContributors = 0;
    }

    long awaitRound() {
        return awaitRound;
    }

    /** Chunks (awaiting) or shards (pulling) still missing. */
    int missing() {
        return missing;
    }

    /** A newer closed round the server proved it has (its MAC checked), or -1. */
    long serverAhead() {
        return serverAhead;
    }

    void serverAhead(long round) {
        serverAhead = round;
    }

    boolean has(int shard, int chunk) {
        return chunk >= 0 && chunk < layout.chunkCount(shard) && received[shard][chunk];
    }

    /** Pulling: whether an answer of {@code round} from shard {@code s} can still count (not older than what it has). */
    boolean pullTakes(int shard, long round) {
        return round >= minRound[shard] && round >= shardRound[shard];
    }

    /** Pulling: the round of shard {@code s}'s answer being collected. */
    long pulledRound(int shard) {
        return shardRound[shard];
    }

    /** Pulling: a newer answer than the one being collected; shard {@code s} starts over at {@code round}. */
    void newerAnswer(int shard, long round) {
        shardRound[shard] = round;
        Arrays.fill(received[shard], false);
        receivedCount[shard] = 0;
        setComplete(shard, false);
    }

    /** Pulling: shard {@code s} has nothing yet (round -1): its answer is complete as it is. */
    void nothingYet(int shard) {
        setComplete(shard, true);
    }

    /** One authentic chunk of what is awaited: its bytes go to {@code target} at the chunk's offset. */
    void take(int shard, MessageHeader header, UnsafeBuffer target) {
        int chunk = header.chunkIndex();
        header.buffer().getBytes(header.payloadOffset(), target, (int) header.byteOffset(), header.payloadLength());
        received[shard][chunk] = true;
        receivedCount[shard]++;
        if (!pulling) {
            missing--;
        } else if (receivedCount[shard] == layout.chunkCount(shard)) {
            setComplete(shard, true);
        }
        bytesIn += MessageHeader.LENGTH + header.payloadLength();
        long now = System.nanoTime();
        if (firstChunkNs < 0) {
            firstChunkNs = now;
        }
        lastChunkNs = now;
        int contributors = header.aux();
        minContributors = Math.min(minContributors, contributors);
        maxContributors = Math.max(maxContributors, contributors);
    }

    /** Pulling: whether shard {@code s} is incomplete and sent nothing since the last look (then asked again). */
    boolean stalledSinceLastLook(int shard) {
        boolean stalled = !shardComplete[shard] && receivedCount[shard] == lastLook[shard];
        lastLook[shard] = receivedCount[shard];
        return stalled;
    }

    /**
     * Pulling, every shard answered: the newest round among them if all agree on it, else -2 after
     * marking the lagging shards incomplete again (to be asked until they have closed it too).
     */
    long agreedRound() {
        long max = Long.MIN_VALUE;
        for (long r : shardRound) {
            max = Math.max(max, r);
        }
        boolean agree = true;
        for (int s = 0; s < layout.shards(); s++) {
            if (shardRound[s] != max) {
                agree = false;
                minRound[s] = max;
                setComplete(s, false);
            }
        }
        return agree ? max : -2;
    }

    /** Which shards still owe what, for a time-out's message. */
    String missingShards() {
        StringBuilder b = new StringBuilder();
        for (int s = 0; s < layout.shards(); s++) {
            int owed = pulling ? (shardComplete[s] ? 0 : 1) : layout.chunkCount(s) - receivedCount[s];
            if (owed > 0) {
                b.append(b.length() == 0 ? "" : ", ").append("shard ").append(s)
                    .append(pulling ? " has not answered" : " owes " + owed + " of " + layout.chunkCount(s) + " chunks");
            }
        }
        return b.length() == 0 ? "nothing missing" : b.toString();
    }

    /** The figures of this wait: sending from {@code t0} to {@code t1}, then what arrived. */
    RoundStats stats(long round, long t0, long t1, long bytesOut, long dropped) {
        long first = firstChunkNs < 0 ? t1 : Math.max(firstChunkNs, t1);
        long last = lastChunkNs < 0 ? first : Math.max(lastChunkNs, first);
        return new RoundStats(round, t1 - t0, first - t1, last - first, bytesOut, bytesIn,
            minContributors == Integer.MAX_VALUE ? 0 : minContributors, maxContributors, dropped);
    }

    /** For a re-push after a stall: which chunks arrived, per shard. */
    boolean[][] received() {
        return received;
    }

    int[] receivedCount() {
        return receivedCount;
    }

    private void setComplete(int shard, boolean complete) {
        if (shardComplete[shard] != complete) {
            shardComplete[shard] = complete;
            missing += complete ? -1 : 1;
        }
    }
}
