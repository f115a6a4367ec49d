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
    /**
     * ckpt-EEEEEE after epoch E; ckpt-EEEEEE-rRRRRRR after R rounds of epoch E + 1 (round-level);
     * either with -gN when written again (generation N supersedes the ones before).
     */
    private static final Pattern NAME = Pattern.compile("ckpt-(\\d{6})(?:-r(\\d{6}))?(?:-g(\\d+))?");
    /** Staging folders of older versions of this class. */
    private static final String TEMP_PREFIX = "_tmp-";
    static final String MODEL = "model.zip";
    static final String STATE = "state.json";

    private final FileSystem fs;
    private final AtomicPublish publish;
    private final Path dir;
    private final int keep;
    private final String runId;
    /** Staging folders of saves under way (a round-level save and a pruning one may overlap). */
    private final java.util.Set<String> inFlight = java.util.concurrent.ConcurrentHashMap.newKeySet();
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
        String name = state.withinEpoch()
                ? String.format("ckpt-%06d-r%06d", state.epoch(), state.roundsIntoEpoch())
                : String.format("ckpt-%06d", state.epoch());
        // Written again (an epoch or round redone after a retry or a resume): a new generation
        // beside the old one, which is pruned once the new one is in place; never a gap.
        int generation = nextGeneration(name);
        Path target = new Path(dir, generation == 0 ? name : name + "-g" + generation);
        Path staged = publish.stageDirectory(target);
        inFlight.add(staged.getName());
        try {
            return publishCheckpoint(network, state, target, staged);
        } finally {
            inFlight.remove(staged.getName());
        }
    }

    private Path publishCheckpoint(ComputationGraph network, CheckpointState state, Path target, Path staged)
            throws IOException {
        String[] sha = new String[1];
        publish.writeFile(new Path(staged, MODEL), raw -> {
            DigestOutputStream out = new DigestOutputStream(raw, sha256());
            ModelSerializer.writeModel(network, out, true);
            out.flush();
            sha[0] = HexFormat.of().formatHex(out.getMessageDigest().digest());
        });
        CheckpointState stamped = state.withModelSha256(sha[0]).writtenBy(runId);
        publish.writeFile(new Path(staged, STATE), out -> json.writerWithDefaultPrettyPrinter().writeValue(out, stamped));
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
     * The generation a new copy of checkpoint {@code name} gets: 0 if there is none, else one above
     * the newest. An existing copy must be this run's (or unreadable, or from before runs had ids):
     * another run's checkpoints are never superseded.
     */
    private int nextGeneration(String name) throws IOException {
        int next = 0;
        for (Path p : complete()) {
            Matcher m = NAME.matcher(p.getName());
            if (!m.matches() || !baseName(m).equals(name)) {
                continue;
            }
            String owner = ownerOf(p);
            if (owner != null && runId != null && !owner.equals(runId)) {
                throw new AlreadyPublishedException(p, "checkpoint " + p + " belongs to another run (run id " + owner
                        + ", this run is " + runId + "); this one wrote nothing");
            }
            next = Math.max(next, generationOf(p) + 1);
        }
        return next;
    }

    /** The run that wrote a checkpoint; null if unknown (unreadable, or from before runs had ids). */
    private String ownerOf(Path checkpoint) {
        try (FSDataInputStream in = fs.open(new Path(checkpoint, STATE))) {
            return json.readValue((InputStream) in, CheckpointState.class).runId();
        } catch (IOException | RuntimeException e) {
            return null;
        }
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
            net = SafeModelZip.read(in, true);
            in.transferTo(OutputStream.nullOutputStream());
            sha = HexFormat.of().formatHex(in.getMessageDigest().digest());
        }
        if (!sha.equals(state.modelSha256())) {
            throw new IOException("model.zip of " + checkpoint + " has sha256 " + sha + ", state.json says "
                    + state.modelSha256());
        }
        return new Loaded(checkpoint, net, state);
    }

    /** Complete checkpoints, oldest first (of one checkpoint written again, the older generation first). */
    public List<Path> complete() throws IOException {
        List<Path> out = new ArrayList<>();
        for (FileStatus st : fs.listStatus(dir)) {
            if (st.isDirectory() && NAME.matcher(st.getPath().getName()).matches()) {
                out.add(st.getPath());
            }
        }
        out.sort(Comparator.comparingLong(CheckpointStore::position).thenComparingInt(CheckpointStore::generationOf));
        return out;
    }

    /**
     * Keeps the {@code keep} newest checkpoints between epochs, a round-level one only while it is
     * the newest of all (it is superseded by the next, of either kind), and of a checkpoint written
     * again only its newest generation.
     */
    private void prune() throws IOException {
        List<Path> all = complete();
        List<Path> kept = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            boolean olderGeneration = i + 1 < all.size() && position(all.get(i + 1)) == position(all.get(i));
            if (olderGeneration) {
                fs.delete(all.get(i), true);
            } else {
                kept.add(all.get(i));
            }
        }
        List<Path> epochs = kept.stream().filter(p -> roundsOf(p) == 0).toList();
        for (int i = 0; i < epochs.size() - keep; i++) {
            fs.delete(epochs.get(i), true);
        }
        for (int i = 0; i < kept.size() - 1; i++) {
            if (roundsOf(kept.get(i)) > 0) {
                fs.delete(kept.get(i), true);
            }
        }
        for (FileStatus st : fs.listStatus(dir)) {
            String name = st.getPath().getName();
            if (name.startsWith(TEMP_PREFIX) || (AtomicPublish.isStaging(name) && !inFlight.contains(name))) {
                // Left by a crash or a failed save. (Another writer's live one, if two drivers share
                // the folder, makes that writer's publish fail: it loses the race it would lose anyway.)
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

    private static int generationOf(Path p) {
        Matcher m = NAME.matcher(p.getName());
        return m.matches() && m.group(3) != null ? Integer.parseInt(m.group(3)) : 0;
    }

    private static String baseName(Matcher m) {
        return "ckpt-" + m.group(1) + (m.group(2) != null ? "-r" + m.group(2) : "");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
