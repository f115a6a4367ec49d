package io.alexnetspark.data.manifest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import io.alexnetspark.data.storage.AtomicPublish;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;

/** Reads and writes JSON documents (the manifest, per-shard results) on any Hadoop FileSystem, atomically. */
public final class ManifestIO {
    /** Shared, thread-safe once configured. Unknown fields are ignored so older readers accept newer files. */
    public static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private ManifestIO() {
    }

    /** Writes the manifest to {@code dir/manifest.json}, atomically. */
    public static Path write(FileSystem fs, Configuration conf, Path dir, Manifest manifest) throws IOException {
        Path target = new Path(dir, Manifest.FILE_NAME);
        writeJson(fs, conf, target, manifest);
        return target;
    }

    /** Reads {@code manifest.json} from a dataset directory (or the file itself). */
    public static Manifest read(FileSystem fs, Path dirOrFile) throws IOException {
        Path file = fs.getFileStatus(dirOrFile).isDirectory() ? new Path(dirOrFile, Manifest.FILE_NAME) : dirOrFile;
        Manifest m = readJson(fs, file, Manifest.class);
        if (m.formatVersion() != Manifest.FORMAT_VERSION) {
            throw new IOException(file + ": manifest format " + m.formatVersion() + ", this reader knows " + Manifest.FORMAT_VERSION);
        }
        return m;
    }

    /**
     * Writes any value as JSON through {@link AtomicPublish}: readers see the old document or the new
     * one, never half of one and never none.
     */
    public static void writeJson(FileSystem fs, Configuration conf, Path target, Object value) throws IOException {
        new AtomicPublish(fs).replaceFile(target, out -> JSON.writeValue(out, value));
    }

    /** Reads a JSON document. */
    public static <T> T readJson(FileSystem fs, Path file, Class<T> type) throws IOException {
        try (InputStream in = fs.open(file)) {
            return JSON.readValue(in, type);
        }
    }
}
