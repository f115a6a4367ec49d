package io.alexnetspark.doctor;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.Serializable;
import java.util.Arrays;
import java.util.UUID;

/**
 * Whether a host reaches the job's storage: the dataset's manifest readable, and the output's
 * folder writable (a 1 MB file written, synced, read back and deleted beside {@code job.output},
 * which may not exist yet). On HDFS that takes the NameNode and a DataNode pipeline: the ports a
 * firewall must let through.
 */
public final class StorageCheck {

    /** What was found; {@code error} is null when everything worked. */
    public record Result(String what, double millis, String error) implements Serializable {
        public boolean ok() {
            return error == null;
        }

        @Override
        public String toString() {
            return ok() ? String.format(java.util.Locale.ROOT, "%s: ok (%.0f ms)", what, millis) : what + ": FAILED: " + error;
        }
    }

    private static final int PROBE_BYTES = 1 << 20;

    private StorageCheck() {
    }

    /** Reads {@code data}/manifest.json's status (not its contents). */
    public static Result readable(String data) {
        String what = "dataset " + data + " readable";
        long t0 = System.nanoTime();
        try {
            Path manifest = new Path(data, "manifest.json");
            FileSystem fs = manifest.getFileSystem(new Configuration());
            if (!fs.exists(manifest)) {
                return new Result(what, 0, "no manifest.json there (ingest first)");
            }
            fs.getFileStatus(manifest);
            return new Result(what, (System.nanoTime() - t0) / 1e6, null);
        } catch (Exception e) {
            return new Result(what, 0, e.toString());
        }
    }

    /** Writes, syncs, reads back and deletes a 1 MB file in {@code output}'s parent folder. */
    public static Result writable(String output) {
        Path parent = new Path(output).getParent();
        String what = "output folder " + parent + " writable";
        if (parent == null) {
            return new Result(what, 0, "job.output has no parent folder");
        }
        long t0 = System.nanoTime();
        Path probe = new Path(parent, ".alexnet-doctor-" + UUID.randomUUID());
        try {
            FileSystem fs = probe.getFileSystem(new Configuration());
            byte[] bytes = new byte[PROBE_BYTES];
            Arrays.fill(bytes, (byte) 0x5a);
            try (FSDataOutputStream out = fs.create(probe, false)) {
                out.write(bytes);
                out.hsync();
            }
            byte[] back = new byte[PROBE_BYTES];
            try (FSDataInputStream in = fs.open(probe)) {
                in.readFully(back);
            }
            fs.delete(probe, false);
            if (!Arrays.equals(bytes, back)) {
                return new Result(what, 0, "the file read back differs from the one written");
            }
            return new Result(what, (System.nanoTime() - t0) / 1e6, null);
        } catch (Exception e) {
            return new Result(what, 0, e.toString());
        }
    }
}
