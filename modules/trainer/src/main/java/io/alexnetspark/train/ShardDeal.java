package io.alexnetspark.train;

import io.alexnetspark.data.pipeline.ShardSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** How an epoch's shards are shared out: shuffled with the epoch's seed, dealt round-robin to the replicas. */
public final class ShardDeal {

    private ShardDeal() {
    }

    /** One list of shards per replica; every epoch a replica sees other shards, reproducibly. */
    public static List<List<ShardSource>> deal(List<ShardSource> shards, int replicas, long seed, int epoch) {
        List<ShardSource> order = new ArrayList<>(shards);
        Collections.shuffle(order, new Random(seed + epoch));
        return roundRobin(order, replicas);
    }

    /** The shards in their given order, dealt round-robin into {@code groups} lists. */
    public static List<List<ShardSource>> roundRobin(List<ShardSource> shards, int groups) {
        List<List<ShardSource>> out = new ArrayList<>();
        for (int i = 0; i < groups; i++) {
            out.add(new ArrayList<>());
        }
        for (int i = 0; i < shards.size(); i++) {
            out.get(i % groups).add(shards.get(i));
        }
        return out;
    }
}
