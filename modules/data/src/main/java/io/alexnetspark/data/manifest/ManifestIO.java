package io.alexnetspark.data.manifest;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.util.UUID;

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
     * Writes any value as JSON: to a temporary file first, then renamed over the target in one step,
     * so readers see the old document or the new one, never half of one.
     */
    public static void writeJson(FileSystem fs, Configuration conf, Path target, Object value) throws IOException {
        fs.mkdirs(target.getParent());
        Path temp = new Path(target.getParent(), "_tmp." + target.getName() + "." + UUID.randomUUID());
        try {
            try (FSDataOutputStream out = fs.create(temp, false)) {
                JSON.writeValue((java.io.OutputStream) out, value);
            }
            FileContext.getFileContext(fs.getUri(), conf).rename(temp, target, Options.Rename.OVERWRITE);
        } finally {
            if (fs.exists(temp)) {
                fs.delete(temp, false);
            }
        }
    }

    /** Reads a JSON document. */
    public static <T> T readJson(FileSystem fs, Path file, Class<T> type) throws IOException {
        try (InputStream in = fs.open(file)) {
            return JSON.readValue(in, type);
        }
    }
}
