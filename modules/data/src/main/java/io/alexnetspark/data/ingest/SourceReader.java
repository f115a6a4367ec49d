package io.alexnetspark.data.ingest;

import io.alexnetspark.data.image.BadImageException;
import io.alexnetspark.data.image.SkipReason;
import io.alexnetspark.data.layout.SourceImage;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.io.IOUtils;

import java.io.IOException;
import java.net.URI;

/**
 * Reads an input image's bytes from its Hadoop FileSystem; a file that cannot be read is a bad
 * image, not a failure. A read that fails is tried again a few times (a NameNode fail-over, an NFS
 * hiccup) before it counts: a transient error must not become a permanent skip. A missing file is
 * not retried.
 */
final class SourceReader {
    /** Hadoop configuration key: how many times in all a read is tried ({@code data.ingest.read-attempts}). */
    static final String READ_ATTEMPTS_KEY = "alexnet.ingest.read-attempts";
    private static final long BACKOFF_MS = 200;

    private SourceReader() {
    }

    static byte[] readAll(SourceImage src, Configuration conf) throws BadImageException {
        int attempts = Math.max(1, conf.getInt(READ_ATTEMPTS_KEY, 3));
        IOException last = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                return readOnce(src, conf);
            } catch (java.io.FileNotFoundException e) {
                throw new BadImageException(SkipReason.UNREADABLE_FILE, e.toString(), e);
            } catch (IOException e) {
                last = e;
                if (attempt < attempts) {
                    try {
                        Thread.sleep(BACKOFF_MS * attempt);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new BadImageException(SkipReason.UNREADABLE_FILE, e.toString(), e);
            }
        }
        throw new BadImageException(SkipReason.UNREADABLE_FILE, last + " (tried " + attempts + " times)", last);
    }

    private static byte[] readOnce(SourceImage src, Configuration conf) throws IOException, BadImageException {
        Path p = new Path(URI.create(src.uri()));
        FileSystem fs = p.getFileSystem(conf);
        long len = fs.getFileStatus(p).getLen();
        if (len > Integer.MAX_VALUE - 16) {
            throw new BadImageException(SkipReason.UNREADABLE_FILE, len + " bytes is too large for one image");
        }
        byte[] bytes = new byte[(int) len];
        try (FSDataInputStream in = fs.open(p)) {
            IOUtils.readFully(in, bytes, 0, bytes.length);
        }
        return bytes;
    }

    /** Sets the number of read attempts in a Hadoop configuration that ingestion's tasks receive. */
    static void setReadAttempts(Configuration conf, int attempts) {
        conf.setInt(READ_ATTEMPTS_KEY, attempts);
    }
}
