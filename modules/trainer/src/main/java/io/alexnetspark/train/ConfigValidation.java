package io.alexnetspark.train;

import com.typesafe.config.Config;
import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.model.config.JobSettings;
import io.alexnetspark.model.config.SettingsReader;

/**
 * The one validation of a configuration: every section, read the way the commands read it.
 * {@code config}, {@code train}, {@code ingest} and {@code retrain} all run it first, so a value
 * that one of them refuses is refused by all, {@code config} included.
 */
public final class ConfigValidation {

    private ConfigValidation() {
    }

    /**
     * @throws io.alexnetspark.model.config.InvalidConfigException naming the first bad key and why
     */
    public static void check(Config cfg) {
        JobSettings job = JobSettings.from(cfg);
        TrainSettings.checkValues(cfg);
        DataConfig data = DataConfig.from(cfg);
        data.preprocessing();
        data.imagesPerShard();
        data.shardBytes();
        data.ingestEngine();
        data.sparkThreshold();
        data.ingestSeed();
        data.ingestThreads();
        data.maxPixels();
        data.readAttempts();
        data.trainPipeline(job.recipe().batchSize(), job.model().classes());
        data.evalPipeline(job.recipe().batchSize(), job.model().classes());
        new SettingsReader(cfg).doubleIn("retrain.margin", 0.0, true, 1.0, false);
    }
}
