package io.alexnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.alexnetspark.data.storage.AlreadyPublishedException;
import io.alexnetspark.data.storage.AtomicPublish;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
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
import java.util.concurrent.TimeUnit;
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
    /** Staging folders of older versions of this class. */
    private static final String TEMP_PREFIX = "_tmp-";
    private static final String SUPERSEDED = "superseded-";
    private static final String UNLOADABLE = "unloadable-";
    private static final long STALE_STAGING_MS = TimeUnit.HOURS.toMillis(1);
    static final String MODEL = "model.zip";
    static final String STATE = "state.json";

    private final FileSystem fs;
    private final AtomicPublish publish;
    private final Path dir;
    private final int keep;
    private final String runId;
    private final String writer = UUID.randomUUID().toString();
    private final ObjectMapper json = new ObjectMapper();

    /**
     * @param dir   the checkpoint folder, e.g. hdfs://nn:8020/runs/r1/checkpoints
     * @param keep  how many complete checkpoints to keep (at least 1)
     * @param runId the run whose checkpoints these are: a checkpoint of another run is never replaced
     */
    public CheckpointStore(Path dir, Configuration hadoop, int keep, String runId) throws IOException {
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        this.fs = dir.getFileSystem(hadoop);
        this.publish = new AtomicPublish(fs);
        this.dir = fs.makeQualified(dir);
        this.keep = keep;
        this.runId = runId;
        fs.mkdirs(this.dir);
    }

    /** A store for a run without an id (tests, tools). */
    public CheckpointStore(Path dir, Configuration hadoop, int keep) throws IOException {
        this(dir, hadoop, keep, null);
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
        Path staged = publish.stageDirectory(target);
        String[] sha = new String[1];
        publish.writeFile(new Path(staged, MODEL), raw -> {
            DigestOutputStream out = new DigestOutputStream(raw, sha256());
            ModelSerializer.writeModel(network, out, true);
            out.flush();
            sha[0] = HexFormat.of().formatHex(out.getMessageDigest().digest());
        });
        CheckpointState stamped = state.withModelSha256(sha[0]).writtenBy(runId, writer);
        publish.writeFile(new Path(staged, STATE), out -> json.writerWithDefaultPrettyPrinter().writeValue(out, stamped));
        if (fs.exists(target)) {
            makeWay(target, staged);
        }
        try {
            publish.moveIfAbsent(staged, target);
        } catch (AlreadyPublishedException e) {
            throw new AlreadyPublishedException(target, "checkpoint " + target + " was written by another writer at the same "
                    + "moment (two drivers on one job.output?); this one kept nothing");
        }
        prune();
        LOG.info("checkpoint {} written (model sha256 {})", target, sha[0].substring(0, 12));
        return target;
    }

    /**
     * A checkpoint of this name exists. It is this run's own earlier copy (an epoch or round written
     * again after a retry or a resume) or one that does not load: moved aside (pruned later). Another
     * run's is never touched.
     */
    private void makeWay(Path target, Path staged) throws IOException {
        CheckpointState existing;
        try (FSDataInputStream in = fs.open(new Path(target, STATE))) {
            existing = json.readValue((InputStream) in, CheckpointState.class);
        } catch (IOException | RuntimeException e) {
            Path aside = publish.moveAside(target, UNLOADABLE + UUID.randomUUID());
            LOG.warn("checkpoint {} does not load ({}): moved aside to {}", target, e.getMessage(), aside.getName());
            return;
        }
        boolean ours = existing.runId() == null || existing.runId().equals(runId);
        if (!ours) {
            fs.delete(staged, true);
            throw new AlreadyPublishedException(target, "checkpoint " + target + " belongs to another run (run id "
                    + existing.runId() + ", this run is " + runId + "); this one kept nothing");
        }
        publish.moveAside(target, SUPERSEDED + UUID.randomUUID());
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
            String name = st.getPath().getName();
            if (name.startsWith(TEMP_PREFIX) || name.contains("." + SUPERSEDED)
                    || (AtomicPublish.isStaging(name) && st.getModificationTime() < System.currentTimeMillis() - STALE_STAGING_MS)) {
                // Left by a crash (an hour old: not a live writer's), or the replaced copy of a re-run checkpoint.
                fs.delete(st.getPath(), true);
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
}
