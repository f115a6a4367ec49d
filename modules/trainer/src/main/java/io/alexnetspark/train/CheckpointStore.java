package io.alexnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checkpoints on any Hadoop FileSystem ({@code hdfs://}, {@code file://}, ...), never half-written.
 *
 * <p>Each checkpoint is a folder {@code ckpt-NNNNNN} holding {@code model.zip} (DL4J's format, with
 * the updater's momentum) and {@code state.json}. It is written under a temporary name and renamed
 * into place only when complete (a directory rename is atomic on HDFS and on POSIX file systems),
 * so a driver killed at any moment leaves either the previous checkpoints or the new one, never a
 * partial one under a checkpoint name. Loading verifies the model's SHA-256 and falls back to the
 * previous checkpoint if the newest does not verify. The newest {@code keep} are kept.
 */
public final class CheckpointStore {

    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    /** ckpt-EEEEEE after epoch E; ckpt-EEEEEE-rRRRRRR after R rounds of epoch E + 1 (round-level). */
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{6})(?:-r(\\d{6}))?");
    private static final String TEMP_PREFIX = "_tmp-";
    static final String MODEL = "model.zip";
    static final String STATE = "state.json";

    private final FileSystem fs;
    private final Path dir;
    private final int keep;
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param dir  the checkpoint folder, e.g. hdfs://nn:8020/runs/r1/checkpoints
     * @param keep how many complete checkpoints to keep (at least 1)
     */
    public CheckpointStore(Path dir, Configuration hadoop, int keep) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        this.fs = dir.getFileSystem(hadoop);
        this.dir = fs.makeQualified(dir);
        this.keep = keep;
        fs.mkdirs(this.dir);
    }

    /** A loaded checkpoint. */
    public record Loaded(Path path, ComputationGraph network, CheckpointState state) {
    }

    /**
     * Writes the network (with its updater state) and the state as checkpoint number
     * {@code state.epoch()}, atomically, then prunes old ones and stale temporaries.
     *
     * @return the checkpoint's path
     */
    public Path save(ComputationGraph network, CheckpointState state) throws IOException {
        Path target = new Path(dir, state.withinEpoch()
                ? String.format("ckpt-%06d-r%06d", state.epoch(), state.roundsIntoEpoch())
                : String.format("ckpt-%06d", state.epoch()));
        Path temp = new Path(dir, TEMP_PREFIX + target.getName() + "-" + UUID.randomUUID());
        fs.mkdirs(temp);
        String sha;
        try (FSDataOutputStream raw = fs.create(new Path(temp, MODEL), false);
             DigestOutputStream out = new DigestOutputStream(raw, sha256())) {
            ModelSerializer.writeModel(network, new NonClosing(out), true);
            out.flush();
            sha = HexFormat.of().formatHex(out.getMessageDigest().digest());
            raw.hsync();
        }
        try (FSDataOutputStream out = fs.create(new Path(temp, STATE), false)) {
            json.writerWithDefaultPrettyPrinter().writeValue(new NonClosing(out), state.withModelSha256(sha));
            out.hsync();
        }
        if (fs.exists(target)) {
            // A re-run of the same epoch (after a resume) replaces it: move the old one out of the way first.
            Path old = new Path(dir, TEMP_PREFIX + "old-" + target.getName() + "-" + UUID.randomUUID());
            if (!fs.rename(target, old)) {
                throw new IOException("cannot move the previous " + target + " aside");
            }
        }
        if (!fs.rename(temp, target)) {
            throw new IOException("cannot rename " + temp + " to " + target);
        }
        prune();
        LOG.info("checkpoint {} written (model sha256 {})", target, sha.substring(0, 12));
        return target;
    }

    /** The newest checkpoint that loads and verifies, if any. */
    public Optional<Loaded> loadLatest() throws IOException {
        List<Path> all = complete();
        for (int i = all.size() - 1; i >= 0; i--) {
            Path p = all.get(i);
            try {
                return Optional.of(load(p));
            } catch (IOException | RuntimeException e) {
                LOG.warn("checkpoint {} does not load ({}); trying the one before", p, e.getMessage());
            }
        }
        return Optional.empty();
    }

    /** Loads one checkpoint, verifying the model's checksum. */
    public Loaded load(Path checkpoint) throws IOException {
        CheckpointState state;
        try (FSDataInputStream in = fs.open(new Path(checkpoint, STATE))) {
            state = json.readValue((InputStream) in, CheckpointState.class);
        }
        ComputationGraph net;
        String sha;
        try (FSDataInputStream raw = fs.open(new Path(checkpoint, MODEL));
             DigestInputStream in = new DigestInputStream(raw, sha256())) {
            net = ModelSerializer.restoreComputationGraph(new java.io.FilterInputStream(in) {
                @Override
                public void close() {
                    // the digest needs the rest of the stream: closed by try-with-resources
                }
            }, true);
            in.transferTo(OutputStream.nullOutputStream());
            sha = HexFormat.of().formatHex(in.getMessageDigest().digest());
        }
        if (!sha.equals(state.modelSha256())) {
            throw new IOException("model.zip of " + checkpoint + " has sha256 " + sha + ", state.json says "
                    + state.modelSha256());
        }
        return new Loaded(checkpoint, net, state);
    }

    /** Complete checkpoints, oldest first. */
    public List<Path> complete() throws IOException {
        List<Path> out = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.isDirectory() && NAME.matcher(st.getPath().getName()).matches()) {
                out.add(st.getPath());
            }
        }
        out.sort(Comparator.comparingLong(CheckpointStore::position));
        return out;
    }

    /**
     * Keeps the {@code keep} newest checkpoints between epochs, and a round-level one only while it
     * is the newest of all (it is superseded by the next, of either kind).
     */
    private void prune() throws IOException {
        List<Path> all = complete();
        List<Path> epochs = all.stream().filter(p -> roundsOf(p) == 0).toList();
        for (int i = 0; i < epochs.size() - keep; i++) {
            fs.delete(epochs.get(i), true);
        }
        for (int i = 0; i < all.size() - 1; i++) {
            if (roundsOf(all.get(i)) > 0) {
                fs.delete(all.get(i), true);
            }
        }
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.getPath().getName().startsWith(TEMP_PREFIX)) {
                fs.delete(st.getPath(), true); // left by a crash, or the replaced copy of a re-run epoch
            }
        }
    }

    /** Epochs, then rounds into the next: the order in which checkpoints were written. */
    private static long position(Path p) {
        Matcher m = NAME.matcher(p.getName());
        if (!m.matches()) {
            throw new IllegalArgumentException(p.toString());
        }
        return Long.parseLong(m.group(1)) * 1_000_000L + roundsOf(p);
    }

    private static int roundsOf(Path p) {
        Matcher m = NAME.matcher(p.getName());
        return m.matches() && m.group(2) != null ? Integer.parseInt(m.group(2)) : 0;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }

    /** ModelSerializer and Jackson close the stream they are given; the digest and hsync need it open (so does load's). */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
