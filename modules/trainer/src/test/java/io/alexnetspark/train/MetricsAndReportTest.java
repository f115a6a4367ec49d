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
        return new EpochMetrics(e, 2.0 / e, 2.1 / e, err, err / 2, 0.01, 100 + e, 1.0, 20.0, 2, 256, 1000, java.util.List.of(), 0, 0);
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

    private static EpochMetrics recovered(int e) {
        List<EpochAttempt> attempts = List.of(
                new EpochAttempt(1, 3, true, "ExecutorLostFailure (executor 1 exited) <137>", 12.5, "restart the epoch from its start with 2 of 3 replicas", 4),
                new EpochAttempt(2, 2, false, "", 30.0, "", 0));
        return new EpochMetrics(e, 1.0, 1.1, 0.5, 0.2, 0.01, 100, 1.0, 42.5, 2, 64, 1000, attempts, 1, 2);
    }

    @Test
    void attemptsAndResetsSurviveTheJsonLinesAndShowInTheReport(@TempDir Path dir) throws IOException {
        org.apache.hadoop.fs.Path file = new org.apache.hadoop.fs.Path(dir.toUri().toString(), "metrics.jsonl");
        new MetricsLog(file, new Configuration()).append(recovered(1));
        EpochMetrics back = new MetricsLog(file, new Configuration()).epochs().get(0);
        assertThat(back).isEqualTo(recovered(1));
        assertThat(back.failedAttempts()).isEqualTo(1);
        assertThat(back.recoverySeconds()).isEqualTo(12.5);
        assertThat(TrainingLoop.recoveryNote(back)).contains("2 attempts: 1 failed, 12.5 s lost; 2 replicas")
                .contains("1 replica resets").contains("2 rounds missed");

        String page = Files.readString(TrainingReport.write(dir.resolve("report"), "run", List.of(recovered(1))));
        assertThat(page).contains("<h2>Failed attempts</h2>").contains("ExecutorLostFailure (executor 1 exited) &lt;137&gt;")
                .contains("restart the epoch from its start with 2 of 3 replicas").doesNotContain("No epoch attempt failed");
    }

    @Test
    void theReportHasRealPlotsAndTheTable(@TempDir Path dir) throws IOException {
        Path html = TrainingReport.write(dir, "run <1>", List.of(epoch(1, 0.9), epoch(2, 0.7), epoch(3, 0.6)));
        String page = Files.readString(html);
        assertThat(page).contains("run &lt;1&gt;").contains("<img src=\"loss.png\"").contains("<td>3</td>")
                .contains("No epoch attempt failed.");
        for (String png : List.of("loss.png", "error.png", "throughput.png", "replicas.png")) {
            BufferedImage img = ImageIO.read(dir.resolve(png).toFile());
            assertThat(img).as(png).isNotNull();
            assertThat(img.getWidth()).isEqualTo(640);
        }
    }
}
