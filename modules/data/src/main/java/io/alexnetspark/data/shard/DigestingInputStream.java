package io.alexnetspark.data.shard;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSInputStream;

import java.io.IOException;
import java.security.MessageDigest;

/**
 * A front-to-back stream that hashes every byte it hands out, so that a shard is verified in the
 * same single pass that reads it. It is an {@link FSInputStream} because SequenceFile's reader
 * wants a seekable stream; seeking anywhere but the current position is refused.
 */
final class DigestingInputStream extends FSInputStream {
    private final FSDataInputStream in;
    private final MessageDigest digest;
    private long pos;

    DigestingInputStream(FSDataInputStream in, MessageDigest digest) {
        this.in = in;
        this.digest = digest;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            digest.update((byte) b);
            pos++;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
            pos += n;
        }
        return n;
    }

    /** Reads (and hashes) whatever is left. */
    long drain() throws IOException {
        byte[] buf = new byte[64 << 10];
        long total = 0;
        int n;
        while ((n = read(buf, 0, buf.length)) > 0) {
            total += n;
        }
        return total;
    }

    @Override
    public void seek(long target) throws IOException {
        if (target != pos) {
            throw new IOException("shards are read front to back (seek to " + target + " at " + pos + ")");
        }
    }

    @Override
    public long getPos() {
        return pos;
    }

    @Override
    public boolean seekToNewSource(long targetPos) {
        return false;
    }

    @Override
    public int available() throws IOException {
        return in.available();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
