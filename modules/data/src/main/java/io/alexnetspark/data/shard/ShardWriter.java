package io.alexnetspark.data.shard;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;

import java.io.IOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;

/**
 * Writes one shard. Records go to a hidden temporary file beside the target; {@link #commit()}
 * closes it and renames it into place, so a crash never leaves a visible, incomplete shard (the
 * rename is atomic on HDFS and on a local disk). {@link #close()} without a commit deletes the
 * temporary file. The SHA-256 is computed on the bytes as they are written, so committing costs
 * no second pass over the file.
 */
public final class ShardWriter implements AutoCloseable {
    private final FileSystem fs;
    private final Configuration conf;
    private final Path target;
    private final Path temp;
    private final MessageDigest sha256;
    private final FSDataOutputStream out;
    private final SequenceFile.Writer writer;
    private final Text key = new Text();
    private final ImageRecordWritable value = new ImageRecordWritable();
    private long images;
    private boolean done;

    private ShardWriter(FileSystem fs, Configuration conf, Path target) throws IOException {
        this.fs = fs;
        this.conf = conf;
        this.target = target;
        this.temp = new Path(target.getParent(), "_tmp." + target.getName() + "." + UUID.randomUUID());
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        FSDataOutputStream raw = fs.create(temp, false);
        // The digest sees exactly the bytes the file gets; FSDataOutputStream gives SequenceFile the position it needs.
        out = new FSDataOutputStream(new DigestOutputStream(raw, sha256), null);
        SequenceFile.Metadata meta = new SequenceFile.Metadata();
        meta.set(ShardFormat.VERSION_KEY, new Text(ShardFormat.VERSION));
        writer = SequenceFile.createWriter(conf,
                SequenceFile.Writer.stream(out),
                SequenceFile.Writer.keyClass(Text.class),
                SequenceFile.Writer.valueClass(ImageRecordWritable.class),
                SequenceFile.Writer.compression(ShardFormat.COMPRESSION),
                SequenceFile.Writer.metadata(meta));
    }

    /** Starts a shard that will appear at {@code target} on {@link #commit()}. */
    public static ShardWriter create(FileSystem fs, Configuration conf, Path target) throws IOException {
        fs.mkdirs(target.getParent());
        return new ShardWriter(fs, conf, target);
    }

    /** Appends one record. */
    public void append(ImageRecord record) throws IOException {
        if (done) {
            throw new IllegalStateException("shard " + target + " is already committed or closed");
        }
        key.set(record.key());
        value.set(record);
        writer.append(key, value);
        images++;
    }

    /** Number of records appended so far. */
    public long images() {
        return images;
    }

    /**
     * Closes the file and renames it to the target (replacing a stale file there).
     *
     * @param relativePath the path the manifest will list (relative to the dataset root)
     * @return the shard's manifest entry
     */
    public ShardInfo commit(String relativePath) throws IOException {
        if (done) {
            throw new IllegalStateException("shard " + target + " is already committed or closed");
        }
        done = true;
        writer.close();
        out.close();
        long bytes = fs.getFileStatus(temp).getLen();
        String digest = ShardFormat.hex(sha256.digest());
        // FileContext's rename can overwrite atomically (FileSystem.rename cannot on HDFS): a stale
        // shard from an interrupted run is replaced in one step.
        FileContext.getFileContext(fs.getUri(), conf).rename(temp, target, Options.Rename.OVERWRITE);
        return new ShardInfo(relativePath, images, bytes, digest);
    }

    /** Abandons an uncommitted shard: the temporary file is deleted and nothing becomes visible. */
    @Override
    public void close() throws IOException {
        if (done) {
            return;
        }
        done = true;
        try {
            writer.close();
            out.close();
        } finally {
            fs.delete(temp, false);
        }
    }

    /** Whether a file name is a writer's temporary file (to be ignored or cleaned up). */
    public static boolean isTemporary(String name) {
        return name.startsWith("_tmp.");
    }
}
