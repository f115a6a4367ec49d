package io.alexnetspark.data.shard;

import io.alexnetspark.data.storage.AtomicPublish;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;

import java.io.IOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Writes one shard. Records go to a staging file beside the target; {@link #commit()} syncs and
 * closes it and publishes it over the target ({@link AtomicPublish}), so a crash never leaves a
 * visible, incomplete shard. {@link #close()} without a commit deletes the
 * temporary file. The SHA-256 is computed on the bytes as they are written, so committing costs
 * no second pass over the file.
 */
public final class ShardWriter implements AutoCloseable {
    private final FileSystem fs;
    private final AtomicPublish publish;
    private final Path target;
    private final Path temp;
    private final MessageDigest sha256;
    private final FSDataOutputStream raw;
    private final FSDataOutputStream out;
    private final SequenceFile.Writer writer;
    private final Text key = new Text();
    private final ImageRecordWritable value = new ImageRecordWritable();
    private long images;
    private boolean done;

    private ShardWriter(FileSystem fs, Configuration conf, Path target) throws IOException {
        this.fs = fs;
        this.publish = new AtomicPublish(fs);
        this.target = target;
        this.temp = publish.stagingPath(target);
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        raw = publish.createStaging(temp);
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
        writer.close(); // flushes into out without closing it (the writer was given a stream)
        out.flush();
        AtomicPublish.sync(raw);
        out.close();
        long bytes = fs.getFileStatus(temp).getLen();
        String digest = ShardFormat.hex(sha256.digest());
        // A stale shard from an interrupted run is replaced in one step.
        publish.moveOver(temp, target);
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
        return AtomicPublish.isStaging(name);
    }
}
