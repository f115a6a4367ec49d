package io.alexnetspark.data.ingest;

import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.layout.ClassIndex;
import io.alexnetspark.data.layout.DatasetLayout;
import org.apache.hadoop.conf.Configuration;

import java.io.PrintStream;
import java.util.Objects;

/**
 * What {@link Ingest#run(IngestOptions)} does. Build with {@link #builder(String, String)}.
 *
 * @param source         input root URI (any Hadoop FileSystem; a plain path means the local disk)
 * @param output         dataset root URI for shards and manifest
 * @param dataset        the dataset's name in the manifest
 * @param layout         input layout
 * @param classes        class index, or null to derive it from the devkit (when there is one) or
 *                       the training folder names
 * @param devkit         the ILSVRC-2012 devkit folder (URI) for flat val/ labels, or null to look for
 *                       its files in the input root
 * @param preprocessing  per-image preparation
 * @param imagesPerShard input images per shard (at most)
 * @param shardBytes     target shard size in bytes, or 0 for none: fewer images per shard when the
 *                       estimate ({@link ShardSizer}) says imagesPerShard would be larger
 * @param seed           seed of the image-to-shard assignment
 * @param threads        worker threads
 * @param progress       where the progress line goes (null: silent)
 * @param conf           Hadoop configuration
 */
public record IngestOptions(String source, String output, String dataset, DatasetLayout layout, ClassIndex classes,
                            String devkit, PreprocessSettings preprocessing, int imagesPerShard, long shardBytes,
                            long seed, int threads,
                            PrintStream progress, Configuration conf) {
    public IngestOptions {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(preprocessing, "preprocessing");
        Objects.requireNonNull(conf, "conf");
        if (imagesPerShard < 1) {
            throw new IllegalArgumentException("imagesPerShard must be >= 1, got " + imagesPerShard);
        }
        if (shardBytes < 0) {
            throw new IllegalArgumentException("shardBytes must be >= 0, got " + shardBytes);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
    }

    /** Starts options for ingesting {@code source} into {@code output}, with the paper's preprocessing. */
    public static Builder builder(String source, String output) {
        return new Builder(source, output);
    }

    /** Fluent builder; defaults: ImageNet layout, paper preprocessing, 1000 images per shard, no size target, seed 42, all cores. */
    public static final class Builder {
        private final String source;
        private final String output;
        private String dataset = "imagenet";
        private DatasetLayout layout = DatasetLayout.IMAGENET;
        private ClassIndex classes;
        private String devkit;
        private PreprocessSettings preprocessing = PreprocessSettings.PAPER;
        private int imagesPerShard = 1000;
        private long shardBytes;
        private long seed = 42;
        private int threads = Runtime.getRuntime().availableProcessors();
        private PrintStream progress = System.err;
        private Configuration conf;

        private int readAttempts = 3;

        private Builder(String source, String output) {
            this.source = source;
            this.output = output;
        }

        public Builder dataset(String v) { dataset = v; return this; }
        public Builder layout(DatasetLayout v) { layout = v; return this; }
        public Builder classes(ClassIndex v) { classes = v; return this; }
        public Builder devkit(String v) { devkit = v; return this; }
        public Builder shardBytes(long v) { shardBytes = v; return this; }
        public Builder preprocessing(PreprocessSettings v) { preprocessing = v; return this; }
        public Builder imagesPerShard(int v) { imagesPerShard = v; return this; }
        public Builder seed(long v) { seed = v; return this; }
        public Builder threads(int v) { threads = v; return this; }
        public Builder progress(PrintStream v) { progress = v; return this; }
        public Builder conf(Configuration v) { conf = v; return this; }
        /** How many times in all a failing read of an input file is tried before the image is skipped. */
        public Builder readAttempts(int v) { readAttempts = v; return this; }

        public IngestOptions build() {
            Configuration c = conf != null ? conf : new Configuration();
            // Travels with the Hadoop configuration into ingestion's Spark tasks.
            SourceReader.setReadAttempts(c, readAttempts);
            return new IngestOptions(source, output, dataset, layout, classes, devkit, preprocessing, imagesPerShard,
                    shardBytes, seed, threads, progress, c);
        }
    }
}
