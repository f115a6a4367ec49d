package io.alexnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.alexnetspark.data.storage.AtomicPublish;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The run's metrics as JSON lines ({@code metrics.jsonl}, one {@link EpochMetrics} per line) on any
 * Hadoop FileSystem. HDFS appends are not something to count on, and the file is small, so each
 * append rewrites it through {@link AtomicPublish}: readers see the history before the append or
 * after it, whole lines, never none. A resumed run reads it back and goes on appending.
 */
public final class MetricsLog {

    private final FileSystem fs;
    private final AtomicPublish publish;
    private final Path file;
    private final ObjectMapper json = new ObjectMapper();
    private final List<EpochMetrics> epochs = new ArrayList<>();

    public MetricsLog(Path file, Configuration hadoop) throws IOException {
        this.fs = file.getFileSystem(hadoop);
        this.file = fs.makeQualified(file);
        this.publish = new AtomicPublish(fs);
        if (fs.exists(this.file)) {
            try (FSDataInputStream in = fs.open(this.file);
                 BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (!line.isBlank()) {
                        epochs.add(json.readValue(line, EpochMetrics.class));
                    }
                }
            }
        }
    }

    /** Adds an epoch (replacing a later or equal one left by an interrupted run) and writes the file. */
    public void append(EpochMetrics m) throws IOException {
        epochs.removeIf(e -> e.epoch() >= m.epoch());
        epochs.add(m);
        List<EpochMetrics> lines = List.copyOf(epochs);
        publish.replaceFile(file, out -> {
            for (EpochMetrics e : lines) {
                out.write(json.writeValueAsBytes(e));
                out.write('\n');
            }
        });
    }

    /** The epochs so far, in order. */
    public List<EpochMetrics> epochs() {
        return List.copyOf(epochs);
    }

    public Path path() {
        return file;
    }
}
