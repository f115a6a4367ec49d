package io.alexnetspark.data.ingest;

import io.alexnetspark.data.image.BadImageException;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.image.Preprocessor;
import io.alexnetspark.data.layout.SourceImage;
import org.apache.hadoop.conf.Configuration;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a shard size target in bytes ({@code data.ingest.shard-bytes}) into images per shard.
 *
 * <p>The planner must fix every shard's images before any is written (a shard is one task, named
 * {@code -of-<count>}, and a re-run must recognise it), but output sizes are only known after
 * preprocessing. So the sizer preprocesses a sample exactly as ingestion will — the first
 * {@link #SAMPLE} images of the planner's seeded order, which depends only on the keys, the
 * split and the seed — measures the mean record size, and takes
 * {@code min(imagesPerShard, shardBytes / mean)} images per shard. The same tree, seed and settings
 * give the same sample, the same bytes and so the same plan: re-runs stay deterministic and
 * resumable. Shards come out near the target on average (images vary around the mean); it is a
 * target, not a hard cap.
 */
public final class ShardSizer {
    /** Images preprocessed to estimate the mean record size. */
    public static final int SAMPLE = 64;
    /**
     * SequenceFile record framing (record and key lengths, vints of the value) plus its sync
     * marker (20 bytes every ~100 KB), rounded up.
     */
    static final int RECORD_OVERHEAD = 24;

    private ShardSizer() {
    }

    /**
     * Images per shard for one split.
     *
     * @param sorted         the split's images (any order: the planner's order is derived here)
     * @param imagesPerShard the upper bound (data.ingest.images-per-shard)
     * @param shardBytes     the target; 0 returns {@code imagesPerShard}
     */
    public static int imagesPerShard(String split, List<SourceImage> sorted, PreprocessSettings settings,
                                     int imagesPerShard, long shardBytes, long seed, Configuration conf) {
        if (shardBytes <= 0 || sorted.isEmpty()) {
            return imagesPerShard;
        }
        double mean = meanRecordBytes(ShardPlanner.order(split, sorted, seed), settings, conf);
        if (Double.isNaN(mean)) {
            return imagesPerShard; // nothing in the sample was a usable image: nothing to estimate from
        }
        long n = (long) Math.floor(shardBytes / mean);
        return (int) Math.max(1, Math.min(imagesPerShard, n));
    }

    /** The mean shard record size of the first {@link #SAMPLE} usable images of {@code order}, or NaN. */
    static double meanRecordBytes(List<SourceImage> order, PreprocessSettings settings, Configuration conf) {
        Preprocessor preprocessor = new Preprocessor(settings);
        long total = 0;
        int measured = 0;
        for (int i = 0; i < Math.min(SAMPLE, order.size()); i++) {
            SourceImage src = order.get(i);
            try {
                byte[] jpeg = preprocessor.process(SourceReader.readAll(src, conf)).jpeg();
                total += jpeg.length + src.key().getBytes(StandardCharsets.UTF_8).length
                        + src.wnid().getBytes(StandardCharsets.UTF_8).length + RECORD_OVERHEAD;
                measured++;
            } catch (BadImageException e) {
                // skipped at ingestion too: takes no space in the shard
            }
        }
        return measured == 0 ? Double.NaN : (double) total / measured;
    }
}
