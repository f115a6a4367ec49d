package io.alexnetspark.data.ingest;

import io.alexnetspark.data.layout.SourceImage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Assigns images to shards deterministically: the images sorted by key, shuffled with a seeded
 * {@link Random} (whose algorithm Java specifies, so every JVM gives the same order), cut into
 * runs of {@code imagesPerShard}. The same tree, seed and shard size always give the same shards,
 * which is what lets a re-run recognise and skip the shards it already wrote. Shuffling mixes
 * classes inside every shard, so a stream over a few shards is not one class at a time.
 */
public final class ShardPlanner {
    private ShardPlanner() {
    }

    /**
     * The order images are written in: sorted by key, then shuffled with the seed. Depends only on
     * the keys, the split and the seed (the sample {@link ShardSizer} measures is a prefix of it).
     */
    public static List<SourceImage> order(String split, List<SourceImage> images, long seed) {
        List<SourceImage> order = new ArrayList<>(images);
        order.sort(Comparator.comparing(SourceImage::key));
        // The split's name enters the seed so train and val are not shuffled alike.
        java.util.Collections.shuffle(order, new Random(seed * 31 + split.hashCode()));
        return order;
    }

    /** The shard tasks of one split. */
    public static List<ShardTask> plan(String split, List<SourceImage> images, int imagesPerShard, long seed) {
        if (imagesPerShard < 1) {
            throw new IllegalArgumentException("imagesPerShard must be >= 1, got " + imagesPerShard);
        }
        List<SourceImage> order = order(split, images, seed);
        int count = (order.size() + imagesPerShard - 1) / imagesPerShard;
        List<ShardTask> tasks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int from = i * imagesPerShard;
            tasks.add(new ShardTask(split, i, count, order.subList(from, Math.min(order.size(), from + imagesPerShard))));
        }
        return tasks;
    }
}
