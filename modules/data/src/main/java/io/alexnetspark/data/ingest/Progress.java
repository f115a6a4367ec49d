package io.alexnetspark.data.ingest;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line progress report ({@code \r}-rewritten), at most once a second. Thread-safe. Fed either
 * per image and per shard (the local runner) or with running totals ({@link #totals}, the Spark
 * driver reading its accumulators).
 */
public final class Progress {
    private final PrintStream out;
    private final long totalImages;
    private final int totalShards;
    private final long start = System.nanoTime();
    private final AtomicLong images = new AtomicLong();
    private final AtomicLong shards = new AtomicLong();
    private final AtomicLong reused = new AtomicLong();
    private volatile long lastPrint;

    /** @param out where the line goes, or null for silence */
    public Progress(PrintStream out, long totalImages, int totalShards) {
        this.out = out;
        this.totalImages = totalImages;
        this.totalShards = totalShards;
    }

    void images(long n) {
        images.addAndGet(n);
        maybePrint(false);
    }

    void shardDone(boolean wasReused) {
        shards.incrementAndGet();
        if (wasReused) {
            reused.incrementAndGet();
        }
        maybePrint(false);
    }

    /** Sets the running totals (shards done, of them reused, images handled) and prints if due. */
    public void totals(long shardsDone, long reusedShards, long imagesDone) {
        shards.set(shardsDone);
        reused.set(reusedShards);
        images.set(imagesDone);
        maybePrint(false);
    }

    /** Prints the final line and ends it. */
    public void finish() {
        maybePrint(true);
        if (out != null) {
            out.println();
        }
    }

    private void maybePrint(boolean force) {
        if (out == null) {
            return;
        }
        long now = System.nanoTime();
        if (!force && now - lastPrint < 1_000_000_000L) {
            return;
        }
        lastPrint = now;
        double secs = Math.max(1e-9, (now - start) / 1e9);
        synchronized (out) {
            out.printf(Locale.ROOT, "\ringest: %d/%d shards (%d reused), %d/%d images, %.1f img/s, %.0f s",
                    shards.get(), totalShards, reused.get(), images.get(), totalImages, images.get() / secs, secs);
            out.flush();
        }
    }
}
