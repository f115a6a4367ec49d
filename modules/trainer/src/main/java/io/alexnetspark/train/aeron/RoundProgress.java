package io.alexnetspark.train.aeron;

import io.alexnetspark.paramserver.ShardRoundStats;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The driver's progress line during an epoch, fed by the parameter server's per-round statistics:
 * the replicas train in the executors, but every round they close here. Prints at most once a
 * second: epoch, round, images/s, time in averaging, ETA of the epoch. Also keeps the epoch's
 * round totals for the end-of-epoch log line.
 */
public final class RoundProgress implements Consumer<ShardRoundStats> {

    private final PrintStream out;
    private final int epochs;
    private final long minIntervalNanos;
    private Epoch current;

    /** What the current epoch's rounds look like. */
    private record Epoch(int epoch, long firstRound, int rounds, long imagesPerRound, long startNanos, int attempt) {
    }

    private long lastPrint;
    private long closedRounds;
    private long byQuorum;
    private long averageNanos;
    private long sendNanos;
    private long bytesIn;
    private long dropped;

    /**
     * @param out    where the line goes (stderr)
     * @param epochs the run's epoch count, for the line
     */
    public RoundProgress(PrintStream out, int epochs) {
        this(out, epochs, Duration.ofSeconds(1));
    }

    RoundProgress(PrintStream out, int epochs, Duration minInterval) {
        this.out = out;
        this.epochs = epochs;
        this.minIntervalNanos = minInterval.toNanos();
    }

    /** Called by the trainer before an epoch's barrier stage. */
    public synchronized void startEpoch(int epoch, long firstRound, int rounds, long imagesPerRound) {
        startEpoch(epoch, firstRound, rounds, imagesPerRound, 1);
    }

    /** Called by the trainer before each attempt at an epoch's barrier stage; a retry counts its own rounds. */
    public synchronized void startEpoch(int epoch, long firstRound, int rounds, long imagesPerRound, int attempt) {
        current = new Epoch(epoch, firstRound, rounds, imagesPerRound, System.nanoTime(), attempt);
        closedRounds = byQuorum = averageNanos = sendNanos = bytesIn = 0;
        lastPrint = 0;
    }

    /** The epoch's round totals, one line. */
    public synchronized String epochSummary() {
        return String.format(Locale.ROOT, "%d rounds closed (%d by quorum after the time-out), server averaging %.2f s, "
                + "sending %.2f s, %,d MB in, %d messages dropped so far", closedRounds, byQuorum, averageNanos / 1e9,
                sendNanos / 1e9, bytesIn >> 20, dropped);
    }

    @Override
    public synchronized void accept(ShardRoundStats s) {
        averageNanos += s.averageNanos();
        sendNanos += s.sendNanos();
        bytesIn += s.bytesIn();
        dropped = s.droppedTotal();
        Epoch e = current;
        if (s.shard() != 0 || e == null || s.round() <= e.firstRound()) {
            return;
        }
        closedRounds++;
        if (s.byQuorum()) {
            byQuorum++;
        }
        long now = System.nanoTime();
        int done = (int) Math.min(e.rounds(), s.round() - e.firstRound());
        if (now - lastPrint < minIntervalNanos && done < e.rounds()) {
            return;
        }
        lastPrint = now;
        double seconds = (now - e.startNanos()) / 1e9;
        double rate = done * e.imagesPerRound() / Math.max(seconds, 1e-9);
        long eta = Math.round(seconds / done * (e.rounds() - done));
        out.printf(Locale.ROOT, "epoch %d/%d  round %d/%d  %.1f img/s  ETA %s%s%s%n", e.epoch() + 1, epochs, done, e.rounds(),
                rate, Duration.ofSeconds(eta).toString().substring(2).toLowerCase(Locale.ROOT),
                byQuorum > 0 ? "  (" + byQuorum + " rounds closed by quorum)" : "",
                e.attempt() > 1 ? "  (attempt " + e.attempt() + ")" : "");
        out.flush();
    }
}
