package io.alexnetspark.model.config;

import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.LrnSpec;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    private final ConfigLoader loader = new ConfigLoader();

    @Test
    void defaultsAreThePapers() {
        JobSettings s = loader.loadSettings(Optional.empty(), List.of());
        assertThat(s.model()).isEqualTo(ModelSpec.paper(AlexNetVariant.ALEXNET_2012));
        assertThat(s.recipe()).isEqualTo(TrainingRecipe.paper());
        assertThat(s.workspaceMode()).isEqualTo(WorkspaceMode.ENABLED);
        assertThat(s.model().lrn()).isEqualTo(LrnSpec.paper());
    }

    @Test
    void thePackedDefaultsAreConfAlexnetConf() throws IOException {
        Path projectDir = Path.of(System.getProperty("alexnet.project.dir", "../.."));
        String onDisk = Files.readString(projectDir.resolve("conf/alexnet.conf"));
        try (InputStream in = getClass().getClassLoader().getResourceAsStream(ConfigLoader.DEFAULTS_RESOURCE)) {
            assertThat(in).isNotNull();
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(onDisk);
        }
    }

    @Test
    void overridesBeatTheFileWhichBeatsTheDefaults(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("job.conf");
        Files.writeString(file, "model.variant = alexnet-single\ntraining.batch-size = 64\n");
        JobSettings s = loader.loadSettings(Optional.of(file), List.of("training.batch-size=32", "model.lrn.alpha-convention=divided-by-n"));
        assertThat(s.model().variant()).isEqualTo(AlexNetVariant.ALEXNET_SINGLE);
        assertThat(s.recipe().batchSize()).isEqualTo(32);
        assertThat(s.model().lrn().alphaOnSum()).isEqualTo(1e-4 / 5);
    }

    @Test
    void anUnknownKeyIsRejectedWithItsNameAndAGuess() {
        assertThatThrownBy(() -> loader.load(Optional.empty(), List.of("training.batch-sise=64")))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("'training.batch-sise'")
                .hasMessageContaining("unknown key")
                .hasMessageContaining("did you mean 'training.batch-size'");
    }

    @Test
    void anUnknownKeyInAFileNamesTheFileAndLine(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("job.conf");
        Files.writeString(file, "model {\n  clases = 10\n}\n");
        assertThatThrownBy(() -> loader.load(Optional.of(file), List.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("model.clases")
                .hasMessageContaining("job.conf: 2");
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "training.batch-size|0|must be >= 1",
            "training.batch-size|lots|wrong type",
            "model.variant|alexnet-2013|expected alexnet-2012 or alexnet-single, got 'alexnet-2013'",
            "model.conv2.filters|255|must be even",
            "model.lrn.n|4|must be odd",
            "model.dropout|1.0|must be in [0.0, 1.0)",
            "model.lrn.alpha-convention|caffe|expected paper or divided-by-n",
            "training.momentum|-0.1|must be in",
            "training.learning-rate.schedule|cosine|expected plateau or step",
            "training.batch-size|16.5|must be a whole number, got 16.5",
            "training.learning-rate.step.epochs|[60, 30]|strictly ascending",
            "model.input.height|40|pool",
            "model.init.bias-one|[conv9]|unknown layer 'conv9'",
            "backend.workspace-mode|SOMETIMES|got 'SOMETIMES'",
    })
    void aBadValueIsRejectedWithTheKeyAndTheReason(String key, String value, String reason) {
        String reportedKey = key.startsWith("model.input") ? "model.input" : key;
        assertThatThrownBy(() -> loader.loadSettings(Optional.empty(), List.of(key + "=" + value)))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).key()).isEqualTo(reportedKey))
                .hasMessageContaining(reason);
    }

    @Test
    void aUriOverrideIsTakenAsAString() {
        var c = loader.load(Optional.empty(), List.of("job.output=hdfs://nn:8020/runs/r1", "job.data=file:///tmp/x"));
        assertThat(c.getString("job.output")).isEqualTo("hdfs://nn:8020/runs/r1");
        assertThat(c.getString("job.data")).isEqualTo("file:///tmp/x");
    }

    @Test
    void aMissingFileIsAClearError(@TempDir Path dir) {
        assertThatThrownBy(() -> loader.load(Optional.of(dir.resolve("nope.conf")), List.of()))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("no such file");
    }
}
