package io.alexnetspark.data.config;

import com.typesafe.config.ConfigFactory;
import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.ingest.IngestEngine;
import io.alexnetspark.data.pipeline.DecoderChoice;
import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.TransformSettings;
import io.alexnetspark.model.config.InvalidConfigException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataConfigTest {
    @Test
    void theDefaultsAreThePapers() {
        DataConfig c = DataConfig.from(ConfigFactory.empty());
        assertThat(c.preprocessing()).isEqualTo(PreprocessSettings.PAPER);
        assertThat(c.trainTransform()).isEqualTo(TransformSettings.paperTrain());
        assertThat(c.evalTransform()).isEqualTo(TransformSettings.paperEval(false));
        PipelineSettings p = c.trainPipeline(128, 1000);
        assertThat(p.batchSize()).isEqualTo(128);
        assertThat(p.shuffleBuffer()).isEqualTo(2048);
        assertThat(c.imagesPerShard()).isEqualTo(1000);
        assertThat(c.ingestThreads()).isPositive();
    }

    @Test
    void theSmallDemoSettings() {
        DataConfig c = DataConfig.from(ConfigFactory.parseString(
                "data.ingest { shorter-side = 32, crop = 32 }\n"
                        + "data.pipeline { crop { height = 28, width = 28 }, padding = 2, eval = ten-crop }"));
        assertThat(c.preprocessing().cropSize()).isEqualTo(32);
        assertThat(c.trainTransform().cropHeight()).isEqualTo(28);
        assertThat(c.trainTransform().padding()).isEqualTo(2);
        assertThat(c.evalTransform().mode()).isEqualTo(TransformSettings.Mode.TEN_CROP);
        assertThat(c.evalTransform().pcaSigma()).isZero();
        assertThat(c.evalTransform().flip()).isFalse();
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> DataConfig.from(ConfigFactory.parseString("data.ingest.crop = 300")).preprocessing())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("data.ingest.crop");
        assertThatThrownBy(() -> DataConfig.from(ConfigFactory.parseString("data.pipeline.eval = five")).evalTransform())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("data.pipeline.eval");
        assertThatThrownBy(() -> DataConfig.from(ConfigFactory.parseString("data.pipeline.mean = [1, 2]")).trainTransform())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("data.pipeline.mean");
        assertThatThrownBy(() -> DataConfig.from(ConfigFactory.parseString("data.pipeline.workers = lots")).trainPipeline(1, 2))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("data.pipeline.workers");
    }

    @Test
    void ingestEngineShardSizeVerificationAndDecoderKeys() {
        DataConfig d = DataConfig.from(ConfigFactory.empty());
        assertThat(d.shardBytes()).isZero();
        assertThat(d.ingestEngine()).isEqualTo(IngestEngine.AUTO);
        assertThat(d.sparkThreshold()).isEqualTo(20_000);
        assertThat(d.trainPipeline(32, 10).verifyBeforeUse()).isTrue();
        assertThat(d.evalPipeline(32, 10).decoder()).isEqualTo(DecoderChoice.AUTO);

        DataConfig c = DataConfig.from(ConfigFactory.parseString(
                "data.ingest { shard-bytes = 128m, engine = spark }\n"
                        + "data.pipeline { verify-before-use = false, decoder = imageio }"));
        assertThat(c.shardBytes()).isEqualTo(128L << 20);
        assertThat(c.ingestEngine()).isEqualTo(IngestEngine.SPARK);
        assertThat(c.trainPipeline(32, 10).verifyBeforeUse()).isFalse();
        assertThat(c.trainPipeline(32, 10).decoder()).isEqualTo(DecoderChoice.IMAGEIO);

        assertThatThrownBy(() -> DataConfig.from(ConfigFactory.parseString("data.ingest.shard-bytes = big")).shardBytes())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("data.ingest.shard-bytes");
        assertThatThrownBy(() -> DataConfig.from(ConfigFactory.parseString("data.ingest.engine = yarn")).ingestEngine())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("data.ingest.engine");
        assertThatThrownBy(() -> DataConfig.from(ConfigFactory.parseString("data.pipeline.decoder = gpu")).decoder())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("data.pipeline.decoder");
    }

    @Test
    void autoTakesSparkForBigInputsOrUnderAMaster() {
        assertThat(IngestEngine.AUTO.useSpark(20_001, 20_000, false)).isTrue();
        assertThat(IngestEngine.AUTO.useSpark(20_000, 20_000, false)).isFalse();
        assertThat(IngestEngine.AUTO.useSpark(10, 20_000, true)).isTrue();
        assertThat(IngestEngine.LOCAL.useSpark(1_000_000, 20_000, true)).isFalse();
        assertThat(IngestEngine.SPARK.useSpark(1, 20_000, false)).isTrue();
    }
}
