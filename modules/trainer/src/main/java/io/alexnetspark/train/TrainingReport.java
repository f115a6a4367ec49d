package io.alexnetspark.train;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The end-of-run report: PNG plots of loss, top-1/top-5 error and throughput per epoch, and an
 * HTML page that shows them beside the metrics table. Written to a local folder (the driver's),
 * from where the job copies it next to the model.
 */
public final class TrainingReport {

    private TrainingReport() {
    }

    /**
     * Writes {@code report.html}, {@code loss.png}, {@code error.png}, {@code throughput.png} and
     * {@code replicas.png}, and lists every failed epoch attempt with its cause and cost.
     *
     * @return the HTML file
     */
    public static Path write(Path dir, String title, List<EpochMetrics> epochs) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(dir);
        save(chart("Loss", "loss", epochs, new Series("training", EpochMetrics::trainLoss),
                new Series("validation", EpochMetrics::valLoss)), dir.resolve("loss.png"));
        save(chart("Validation error", "error", epochs, new Series("top-1", EpochMetrics::top1Error),
                new Series("top-5", EpochMetrics::top5Error)), dir.resolve("error.png"));
        save(chart("Training throughput", "images/s", epochs,
                new Series("images/s", EpochMetrics::imagesPerSecond)), dir.resolve("throughput.png"));
        // Replicas per epoch (an epoch after a lost node runs with fewer) and the attempts it took.
        save(chart("Replicas and attempts", "count", epochs, new Series("replicas", EpochMetrics::replicas),
                new Series("attempts", e -> Math.max(1, e.attempts().size()))), dir.resolve("replicas.png"));
        Path html = dir.resolve("report.html");
        Files.writeString(html, html(title, epochs));
        return html;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private record Series(String name, ToDoubleFunction<EpochMetrics> value) {
    }

    private static XYChart chart(String title, String yAxis, List<EpochMetrics> epochs, Series... series) {
        XYChart chart = new XYChartBuilder().width(640).height(400).title(title).xAxisTitle("epoch").yAxisTitle(yAxis).build();
        double[] x = epochs.stream().mapToDouble(EpochMetrics::epoch).toArray();
        for (Series s : series) {
            chart.addSeries(s.name(), x, epochs.stream().mapToDouble(s.value()).toArray()).setMarker(SeriesMarkers.CIRCLE);
        }
        return chart;
    }

    private static void save(XYChart chart, Path png) throws IOException {
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String html(String title, List<EpochMetrics> epochs) {
        StringBuilder rows = new StringBuilder();
        for (EpochMetrics e : epochs) {
            rows.append(String.format(Locale.ROOT,
                    "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.2f%%</td><td>%.2f%%</td><td>%.2g</td>"
                            + "<td>%.1f</td><td>%.1f%%</td><td>%.0f</td><td>%d</td><td>%d</td></tr>%n",
                    e.epoch(), e.trainLoss(), e.valLoss(), 100 * e.top1Error(), 100 * e.top5Error(), e.learningRate(),
                    e.imagesPerSecond(), e.epochSeconds() == 0 ? 0 : 100 * e.averagingSeconds() / e.epochSeconds(),
                    e.epochSeconds(), e.replicas(), Math.max(1, e.attempts().size())));
        }
        StringBuilder failures = new StringBuilder();
        for (EpochMetrics e : epochs) {
            for (EpochAttempt a : e.attempts()) {
                if (a.failed()) {
                    failures.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%d</td><td>%d</td><td>%.1f</td>"
                                    + "<td style=\"text-align:left\">%s</td><td style=\"text-align:left\">%s</td></tr>%n",
                            e.epoch(), a.attempt(), a.replicas(), a.seconds(), escape(a.cause()), escape(a.next())));
                }
            }
        }
        String failureTable = failures.length() == 0 ? "<p>No epoch attempt failed.</p>"
                : "<h2>Failed attempts</h2><table><tr><th>epoch</th><th>attempt</th><th>replicas</th><th>seconds</th>"
                + "<th>cause</th><th>then</th></tr>" + failures + "</table>";
        String escaped = escape(title);
        return """
                <!DOCTYPE html>
                <html><head><meta charset="utf-8"><title>%1$s</title>
                <style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}
                td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}img{margin:8px}</style></head>
                <body><h1>%1$s</h1>
                <img src="loss.png" alt="loss per epoch"><img src="error.png" alt="validation error per epoch">
                <img src="throughput.png" alt="throughput per epoch"><img src="replicas.png" alt="replicas and attempts per epoch">
                <table><tr><th>epoch</th><th>train loss</th><th>val loss</th><th>top-1 error</th><th>top-5 error</th>
                <th>lr</th><th>images/s</th><th>averaging</th><th>epoch s</th><th>replicas</th><th>attempts</th></tr>
                %2$s</table>
                %3$s</body></html>
                """.formatted(escaped, rows, failureTable);
    }
}
