package io.alexnetspark.data.config;

import io.alexnetspark.model.config.ConfigLoader;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.alexnetspark.data.ingest.IngestEngine;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.pipeline.DecoderChoice;
import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.TransformSettings;
import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.model.config.SettingsReader;

import java.util.List;
import java.util.Locale;

/**
 * Typed, validated settings of the {@code data} block of the job configuration. Keys missing from
 * the given configuration take the job's defaults (conf/alexnet.conf, packed into the model jar and
 * read through {@link ConfigLoader}); a bad value is an {@link InvalidConfigException} naming its
 * key, as for the model's settings.
 */
public final class DataConfig {
    private final Config config;
    private final SettingsReader reader;

    private DataConfig(Config config) {
        this.config = config;
        this.reader = new SettingsReader(config);
    }

    /** Reads the {@code data} block of a job configuration, falling back to the job's defaults. */
    public static DataConfig from(Config jobConfig) {
        return new DataConfig(jobConfig.withFallback(new ConfigLoader().defaults()).resolve());
    }

    /** Ingestion's per-image settings. */
    public PreprocessSettings preprocessing() {
        int shorter = reader.intAtLeast("data.ingest.shorter-side", 0);
        int crop = reader.intAtLeast("data.ingest.crop", 0);
        int quality = reader.intAtLeast("data.ingest.jpeg-quality", 1);
        if (quality > 100) {
            throw new InvalidConfigException("data.ingest.jpeg-quality", "must be at most 100, got " + quality);
        }
        if (crop > shorter) {
            throw new InvalidConfigException("data.ingest.crop", "must not exceed data.ingest.shorter-side (" + shorter
                    + "), got " + crop + (shorter == 0 ? " (shorter-side 0 keeps the original size: set crop = 0)" : ""));
        }
        return new PreprocessSettings(shorter, crop, quality, reader.bool("data.ingest.convert-non-jpeg"),
                reader.intAtLeast("data.ingest.min-side", 1), maxPixels());
    }

    /** How many times in all ingestion tries a failing read of an input file ({@code data.ingest.read-attempts}). */
    public int readAttempts() {
        return reader.intAtLeast("data.ingest.read-attempts", 1);
    }

    /** The largest image ingestion decodes, in pixels ({@code data.ingest.max-pixels}). */
    public long maxPixels() {
        long v = reader.longValue("data.ingest.max-pixels");
        if (v < 1) {
            throw new InvalidConfigException("data.ingest.max-pixels", "must be >= 1, got " + v);
        }
        return v;
    }

    /** Input images per shard. */
    public int imagesPerShard() {
        return reader.intAtLeast("data.ingest.images-per-shard", 1);
    }

    /** Target shard size in bytes ({@code data.ingest.shard-bytes}, e.g. {@code 128m}); 0 means none. */
    public long shardBytes() {
        String key = "data.ingest.shard-bytes";
        long v;
        try {
            v = config.getBytes(key);
        } catch (ConfigException.Missing e) {
            throw new InvalidConfigException(key, "missing");
        } catch (ConfigException e) {
            throw new InvalidConfigException(key, "expected a size such as 128m or 0, got '"
                    + config.getValue(key).unwrapped() + "'");
        }
        if (v < 0) {
            throw new InvalidConfigException(key, "must be >= 0, got " + v);
        }
        return v;
    }

    /** Where ingestion runs ({@code data.ingest.engine}). */
    public IngestEngine ingestEngine() {
        return reader.choice("data.ingest.engine", IngestEngine::parse);
    }

    /** With engine auto: inputs with more images than this run on Spark. */
    public long sparkThreshold() {
        long v = reader.longValue("data.ingest.spark-threshold");
        if (v < 0) {
            throw new InvalidConfigException("data.ingest.spark-threshold", "must be >= 0, got " + v);
        }
        return v;
    }

    /** Seed of the shard assignment. */
    public long ingestSeed() {
        return reader.longValue("data.ingest.seed");
    }

    /** Ingestion threads (0 in the file means one per core). */
    public int ingestThreads() {
        int t = reader.intAtLeast("data.ingest.threads", 0);
        return t == 0 ? Runtime.getRuntime().availableProcessors() : t;
    }

    /** The training transform (random crops, flips, lighting). */
    public TransformSettings trainTransform() {
        return transform(TransformSettings.Mode.TRAIN);
    }

    /** The evaluation transform (centre crop or ten crops, per {@code data.pipeline.eval}). */
    public TransformSettings evalTransform() {
        String eval = reader.string("data.pipeline.eval").toLowerCase(Locale.ROOT);
        return switch (eval) {
            case "centre", "center" -> transform(TransformSettings.Mode.CENTRE);
            case "ten-crop" -> transform(TransformSettings.Mode.TEN_CROP);
            default -> throw new InvalidConfigException("data.pipeline.eval", "expected centre or ten-crop, got '" + eval + "'");
        };
    }

    private TransformSettings transform(TransformSettings.Mode mode) {
        List<Double> mean = reader.doubles("data.pipeline.mean");
        if (mean.size() != 3) {
            throw new InvalidConfigException("data.pipeline.mean", "needs 3 values (R, G, B), got " + mean.size());
        }
        double sigma = reader.doubleValue("data.pipeline.pca-sigma");
        if (sigma < 0) {
            throw new InvalidConfigException("data.pipeline.pca-sigma", "must be >= 0, got " + sigma);
        }
        boolean train = mode == TransformSettings.Mode.TRAIN;
        return new TransformSettings(reader.intAtLeast("data.pipeline.resize-shorter-side", 0),
                reader.intAtLeast("data.pipeline.crop.height", 1), reader.intAtLeast("data.pipeline.crop.width", 1),
                reader.intAtLeast("data.pipeline.padding", 0), mode,
                train && reader.bool("data.pipeline.flip"),
                train ? sigma : 0,
                new float[]{mean.get(0).floatValue(), mean.get(1).floatValue(), mean.get(2).floatValue()});
    }

    /** The pipeline's JPEG decoder ({@code data.pipeline.decoder}). */
    public DecoderChoice decoder() {
        return reader.choice("data.pipeline.decoder", DecoderChoice::parse);
    }

    /** Pipeline settings for training, with the job's batch size and the dataset's class count. */
    public PipelineSettings trainPipeline(int batchSize, int numClasses) {
        return new PipelineSettings(batchSize, numClasses, trainTransform(),
                reader.longValue("data.pipeline.seed"),
                reader.intAtLeast("data.pipeline.workers", 1), reader.intAtLeast("data.pipeline.prefetch-batches", 1),
                reader.intAtLeast("data.pipeline.shuffle-buffer", 1),
                reader.bool("data.pipeline.drop-last"), reader.bool("data.pipeline.verify-before-use"), decoder());
    }

    /** Pipeline settings for evaluation (no shuffling, no randomness). */
    public PipelineSettings evalPipeline(int batchSize, int numClasses) {
        return new PipelineSettings(batchSize, numClasses, evalTransform(), 0, reader.intAtLeast("data.pipeline.workers", 1),
                reader.intAtLeast("data.pipeline.prefetch-batches", 1), 1, false, reader.bool("data.pipeline.verify-before-use"), decoder());
    }
}
