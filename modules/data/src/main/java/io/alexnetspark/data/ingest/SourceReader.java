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

/** Reads an input image's bytes from its Hadoop FileSystem; a file that cannot be read is a bad image, not a failure. */
final class SourceReader {
    private SourceReader() {
    }

    static byte[] readAll(SourceImage src, Configuration conf) throws BadImageException {
        try {
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
        } catch (IOException | IllegalArgumentException e) {
            throw new BadImageException(SkipReason.UNREADABLE_FILE, e.toString(), e);
        }
    }
}
