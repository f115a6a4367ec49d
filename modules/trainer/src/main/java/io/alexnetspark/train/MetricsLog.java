package io.alexnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
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
 * append rewrites it to a temporary file and renames it over the old one: readers always see whole
 * lines. A resumed run reads it back and goes on appending.
 */
public final class MetricsLog {

    private final FileSystem fs;
    private final Path file;
    private final ObjectMapper json = new ObjectMapper();
    private final List<EpochMetrics> epochs = new ArrayList<>();

    public MetricsLog(Path file, Configuration hadoop) throws IOException {
        this.fs = file.getFileSystem(hadoop);
        this.file = fs.makeQualified(file);
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
        Path temp = new Path(file.getParent(), "." + file.getName() + ".tmp");
        try (FSDataOutputStream out = fs.create(temp, true)) {
            for (EpochMetrics e : epochs) {
                out.write(json.writeValueAsBytes(e));
                out.write('\n');
            }
            out.hsync();
        }
        fs.delete(file, false);
        if (!fs.rename(temp, file)) {
            throw new IOException("cannot rename " + temp + " to " + file);
        }
    }

    /** The epochs so far, in order. */
    public List<EpochMetrics> epochs() {
        return List.copyOf(epochs);
    }

    public Path path() {
        return file;
    }
}
