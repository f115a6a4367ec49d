package io.alexnetspark.data.ingest;

import java.util.Locale;

/**
 * Where the shard tasks of an ingestion run ({@code data.ingest.engine}).
 */
public enum IngestEngine {
    /** Spark for big inputs (more than {@code data.ingest.spark-threshold} images) or under spark-submit; else local. */
    AUTO,
    /** Always a Spark job (one task per shard). */
    SPARK,
    /** Always the local thread pool. */
    LOCAL;

    /** Parses {@code auto|spark|local}. */
    public static IngestEngine parse(String s) {
        return io.alexnetspark.model.config.ConfigNames.parse(IngestEngine.class, s);
    }

    /**
     * Whether to run on Spark.
     *
     * @param images          input images of the plan
     * @param threshold       AUTO uses Spark above this many images
     * @param sparkMasterSet  a Spark master is configured (spark-submit sets {@code spark.master}) or a
     *                        SparkContext is already running
     */
    public boolean useSpark(long images, long threshold, boolean sparkMasterSet) {
        return switch (this) {
            case SPARK -> true;
            case LOCAL -> false;
            case AUTO -> sparkMasterSet || images > threshold;
        };
    }
}
