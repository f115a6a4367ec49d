package io.alexnetspark.data.shard;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;

import java.io.Closeable;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Streams the records of one shard, front to back, holding one record in memory at a time.
 * When the manifest entry is given, the file's length is checked on open and its SHA-256 and
 * record count at the end of the stream: {@link #read()} then throws a
 * {@link ShardCorruptException} naming the shard instead of returning the end. (Records before a
 * flipped byte have been handed out by then: the check is per shard, in the same single pass.)
 * A record that cannot be parsed at all fails at once, also naming the shard.
 */
public final class ShardReader implements Closeable {
    private final String name;
    private final ShardInfo expected;
    private final MessageDigest sha256;
    private final DigestingInputStream stream;
    private final SequenceFile.Reader reader;
    private final Text key = new Text();
    private final ImageRecordWritable value = new ImageRecordWritable();
    private long images;
    private boolean finished;

    private ShardReader(FileSystem fs, Configuration conf, Path path, ShardInfo expected) throws IOException {
        this.name = expected != null ? expected.path() + " (" + path + ")" : path.toString();
        this.expected = expected;
        long length = fs.getFileStatus(path).getLen();
        if (expected != null && length != expected.bytes()) {
            throw new ShardCorruptException(name, "length " + length + " bytes, the manifest says " + expected.bytes());
        }
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        FSDataInputStream raw = fs.open(path);
        stream = new DigestingInputStream(raw, sha256);
        try {
            reader = new SequenceFile.Reader(conf,
                    SequenceFile.Reader.stream(new FSDataInputStream(stream)),
                    SequenceFile.Reader.length(length));
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw new ShardCorruptException(name, "unreadable header (" + e + ")", e);
        }
        Text version = reader.getMetadata().get(ShardFormat.VERSION_KEY);
        if (version == null || !ShardFormat.VERSION.equals(version.toString())) {
            reader.close();
            throw new ShardCorruptException(name, "not a shard of format " + ShardFormat.VERSION + " (found " + version + ")");
        }
    }

    /** Opens a shard without a manifest entry to check it against. */
    public static ShardReader open(FileSystem fs, Configuration conf, Path path) throws IOException {
        return new ShardReader(fs, conf, path, null);
    }

    /** Opens a shard and checks it against its manifest entry while reading. */
    public static ShardReader open(FileSystem fs, Configuration conf, Path path, ShardInfo expected) throws IOException {
        return new ShardReader(fs, conf, path, expected);
    }

    /**
     * The next record, or {@code null} at the end of a shard that verified.
     *
     * @throws ShardCorruptException when the shard cannot be parsed or does not match its entry
     */
    public ImageRecord read() throws IOException {
        if (finished) {
            return null;
        }
        boolean more;
        try {
            more = reader.next(key, value);
        } catch (IOException | RuntimeException e) {
            throw new ShardCorruptException(name, "unreadable record after " + images + " records (" + e + ")", e);
        }
        if (more) {
            images++;
            return value.toRecord(key.toString());
        }
        finished = true;
        stream.drain();
        if (expected != null) {
            String digest = ShardFormat.hex(sha256.digest());
            if (!digest.equals(expected.sha256())) {
                throw new ShardCorruptException(name, "SHA-256 " + digest + ", the manifest says " + expected.sha256());
            }
            if (images != expected.images()) {
                throw new ShardCorruptException(name, images + " records, the manifest says " + expected.images());
            }
        }
        return null;
    }

    /** Records read so far. */
    public long images() {
        return images;
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /**
     * Checks a shard against its entry without decoding records: one pass over the bytes.
     *
     * @return {@code null} when it matches, else what is wrong
     */
    public static String verify(FileSystem fs, Path path, ShardInfo expected) throws IOException {
        if (!fs.exists(path)) {
            return "missing";
        }
        long length = fs.getFileStatus(path).getLen();
        if (length != expected.bytes()) {
            return "length " + length + " != " + expected.bytes();
        }
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (DigestingInputStream in = new DigestingInputStream(fs.open(path), md)) {
            in.drain();
        }
        String digest = ShardFormat.hex(md.digest());
        return digest.equals(expected.sha256()) ? null : "SHA-256 " + digest + " != " + expected.sha256();
    }
}
