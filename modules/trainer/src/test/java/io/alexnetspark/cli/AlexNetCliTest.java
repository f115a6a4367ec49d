package io.alexnetspark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as a user calls it: output, JSON, and exit codes. */
class AlexNetCliTest {

    @Test
    void describePrintsThePapersTableByDefault() {
        CliRun r = CliRun.of("describe");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("alexnet-2012").contains("55x55x96").contains("60,965,224").contains("253,440");
    }

    @Test
    void describeJsonOfTheSingleTowerAt224() throws Exception {
        CliRun r = CliRun.of("describe", "--variant", "alexnet-single", "--input", "224", "--json");
        assertThat(r.exit()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("variant").asText()).isEqualTo("alexnet-single");
        JsonNode conv1 = json.get("layers").get(1);
        assertThat(conv1.get("name").asText()).isEqualTo("conv1");
        assertThat(conv1.get("output").toString()).isEqualTo("[54,54,96]");
        assertThat(conv1.get("note").asText()).contains("54x54");
        // fc6 sees 5x5x256 = 6400 inputs at 224, not 9216: fewer parameters than the 227 network.
        assertThat(json.get("totals").get("parameters").asLong()).isLessThan(62_378_344L);
    }

    @Test
    void describeFollowsAUserConfigForASmallNetwork(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("small.conf");
        Files.writeString(conf, """
                model {
                  input { height = 32, width = 32 }
                  classes = 10
                  conv1 { filters = 16, kernel = 5, stride = 1, padding = 2 }
                  fc-width = 64
                }
                """);
        CliRun r = CliRun.of("describe", "--config", conf.toString(), "--json");
        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertThat(json.get("layers").get(1).get("output").toString()).isEqualTo("[32,32,16]");
        assertThat(json.get("totals").has("paperParameters")).isFalse();
    }

    @Test
    void aBadKeyExitsWithTwoAndNamesIt() {
        CliRun r = CliRun.of("describe", "--set", "model.lrn.beta=-1");
        assertThat(r.exit()).isEqualTo(AlexNetCli.EXIT_USAGE);
        assertThat(r.err()).contains("model.lrn.beta").contains("must be in");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownVariantIsAUsageError() {
        CliRun r = CliRun.of("describe", "--variant", "vgg16");
        assertThat(r.exit()).isEqualTo(AlexNetCli.EXIT_USAGE);
        assertThat(r.err()).contains("model.variant").contains("alexnet-2012 or alexnet-single");
    }

    /** {@code config} refuses what train, ingest and retrain refuse: one validation path. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "job.replicas=0|job.replicas|must be >= 1",
        "job.sync-mode=foo|job.sync-mode|expected aeron-averaging, spark-averaging or dl4j-gradient-sharing, got 'foo'",
        "job.tau=-1|job.tau|must be >= 1",
        "job.tau=2.9|job.tau|must be a whole number, got 2.9",
        "paramserver.round-timeout=60|paramserver.round-timeout|needs a unit, e.g. 60s or 60ms",
        "data.ingest.max-pixels=0|data.ingest.max-pixels|must be >= 1",
        "retrain.margin=2|retrain.margin|must be in",
        "paramserver.placement=cloud|paramserver.placement|expected driver, executors or external"})
    void configRefusesWhatTheJobsRefuse(String setting, String key, String reason) {
        CliRun r = CliRun.of("config", "--set", setting);
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(AlexNetCli.EXIT_USAGE);
        assertThat(r.err()).contains("'" + key + "'").contains(reason);
    }

    @Test
    void configPrintsEffectiveValuesAfterOverrides() {
        CliRun r = CliRun.of("config", "--json", "--set", "training.batch-size=64");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("\"batch-size\" : 64");
    }

    @Test
    void doctorReportsTheOneDnnPathsOnThisCpu() {
        CliRun r = CliRun.of("doctor");
        assertThat(r.exit()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("running       CPU").contains("oneDNN on")
                .containsPattern("conv +conv2d -> oneDNN").containsPattern("maxpool +maxpool2d -> oneDNN");
    }

    @Test
    void ingestWritesShardsAndAManifestAndCountsABrokenFile(@TempDir Path dir) throws Exception {
        Path tree = dir.resolve("pets");
        for (String cls : new String[] {"cat", "dog"}) {
            Files.createDirectories(tree.resolve(cls));
            for (int i = 0; i < 3; i++) {
                java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(40, 30, java.awt.image.BufferedImage.TYPE_INT_RGB);
                for (int x = 0; x < 40; x++) {
                    for (int y = 0; y < 30; y++) {
                        img.setRGB(x, y, (x * 6 + i * 20) << 16 | (y * 8) << 8 | (cls.equals("cat") ? 200 : 40));
                    }
                }
                javax.imageio.ImageIO.write(img, "jpg", tree.resolve(cls).resolve(cls + i + ".jpg").toFile());
            }
        }
        Files.write(tree.resolve("dog").resolve("empty.jpg"), new byte[0]);
        Path out = dir.resolve("shards");
        CliRun r = CliRun.of("ingest", "--input", tree.toString(), "--output", out.toUri().toString(), "--layout", "folders",
                "--set", "data.ingest.shorter-side=32", "--set", "data.ingest.crop=32");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("2 classes").contains("6 images").contains("1 skipped");
        assertThat(out.resolve("manifest.json")).exists();
    }

    @Test
    void ingestRejectsAnUnknownLayout(@TempDir Path dir) {
        CliRun r = CliRun.of("ingest", "--input", dir.toString(), "--output", dir.resolve("o").toString(), "--layout", "coco");
        assertThat(r.exit()).isEqualTo(AlexNetCli.EXIT_USAGE);
        assertThat(r.err()).contains("--layout must be imagenet or folders");
    }

    @Test
    void versionNamesTheStack() {
        CliRun r = CliRun.of("version");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("1.0.0-M2.1").contains("3.5.9").contains("1.49.3");
    }
}
