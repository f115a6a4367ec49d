package io.alexnetspark.train;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsAndReportTest {

    private static EpochMetrics epoch(int e, double err) {
        return new EpochMetrics(e, 2.0 / e, 2.1 / e, err, err / 2, 0.01, 100 + e, 1.0, 20.0, 2, 256);
    }

    @Test
    void metricsAreJsonLinesThatSurviveAResume(@TempDir Path dir) throws IOException {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.toUri().toString(), "metrics.jsonl");
        MetricsLog log = new MetricsLog(file, new Configuration());
        log.append(epoch(1, 0.8));
        log.append(epoch(2, 0.6));
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("{\"epoch\":2,").contains("\"top1Error\":0.6");

        // A resumed run re-runs epoch 2: it replaces the interrupted run's line instead of duplicating it.
        MetricsLog resumed = new MetricsLog(file, new Configuration());
        assertThat(resumed.epochs()).hasSize(2);
        resumed.append(epoch(2, 0.5));
        assertThat(Files.readAllLines(dir.resolve("metrics.jsonl"))).hasSize(2).last().asString().contains("0.5");
    }

    @Test
    void theReportHasRealPlotsAndTheTable(@TempDir Path dir) throws IOException {
        Path html = TrainingReport.write(dir, "run <1>", List.of(epoch(1, 0.9), epoch(2, 0.7), epoch(3, 0.6)));
        String page = Files.readString(html);
        assertThat(page).contains("run &lt;1>").contains("<img src=\"loss.png\"").contains("<td>3</td>");
        for (String png : List.of("loss.png", "error.png", "throughput.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
            assertThat(img).as(png).isNotNull();
            assertThat(img.getWidth()).isEqualTo(640);
        }
    }
}
