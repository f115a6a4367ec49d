package io.alexnetspark.train;

import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.storage.AlreadyPublishedException;
import io.alexnetspark.data.storage.AtomicPublish;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Optional;

/**
 * A run's output folder ({@code job.output}) and the run it belongs to ({@code run.json}, a
 * {@link RunIdentity}). Decides, before anything is written, whether this start may use the folder:
 * a fresh run only into a folder that holds no run, a resume only of the same run, and
 * {@code --overwrite} moves the other run aside (never deletes it).
 */
public final class RunFolder {

    /** How a run starts. */
    public enum Start { FRESH, RESUME, OVERWRITE }

    static final String IDENTITY = "run.json";
    /** What a run leaves in its folder: any of these means the folder holds one. */
    private static final List<String> RUN_CONTENT = List.of(IDENTITY, "checkpoints", "metrics.jsonl", "model");
    private static final Logger LOG = LoggerFactory.getLogger(RunFolder.class);
    private static final DateTimeFormatter ASIDE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final FileSystem fs;
    private final AtomicPublish publish;
    private final Path dir;

    public RunFolder(Path dir, Configuration hadoop) throws IOException {
        this.fs = dir.getFileSystem(hadoop);
        this.dir = fs.makeQualified(dir);
        this.publish = new AtomicPublish(fs);
    }

    /**
     * Claims the folder for a run with identity {@code now}.
     *
     * @param allowCodeChange resume a run that another code version started
     * @return the run's identity: {@code now} for a fresh run, the folder's run (same run id) on resume
     * @throws RunFolderException if the folder holds another run (fresh), or a different one (resume),
     *                            or another start claimed it at the same moment
     */
    public RunIdentity claim(RunIdentity now, Start start, boolean allowCodeChange, PrintWriter out) throws IOException {
        Optional<RunIdentity> existing = identity();
        boolean holdsRun = holdsRun();
        switch (start) {
            case RESUME -> {
                if (existing.isPresent()) {
                    List<String> diff = existing.get().differences(now, allowCodeChange);
                    if (!diff.isEmpty()) {
                        throw new RunFolderException("--resume: " + dir + " holds run " + existing.get().runId() + " (started "
                                + existing.get().createdAt() + "), and this configuration or data is not that run's: "
                                + String.join("; and ", diff) + ". Resume with that run's configuration and data, or start a "
                                + "fresh run into another job.output (or --overwrite, which moves this one aside).");
                    }
                    if (!existing.get().codeVersion().equals(now.codeVersion())) {
                        out.println("resuming run " + existing.get().runId() + " with code version " + now.codeVersion()
                                + " (it started with " + existing.get().codeVersion() + ")");
                    }
                    return now.continuing(existing.get());
                }
                if (holdsRun) {
                    // A run from before runs had identities: it becomes this one.
                    LOG.warn("{} holds a run without {}: resuming it as run {}", dir, IDENTITY, now.runId());
                }
                return create(now);
            }
            case OVERWRITE -> {
                if (holdsRun) {
                    Path aside = publish.moveAside(dir, "replaced-" + ASIDE.format(Instant.now()));
                    out.println("--overwrite: moved the run that was in " + dir + " aside to " + aside + " (nothing deleted)");
                    out.flush();
                }
                return create(now);
            }
            default -> {
                if (holdsRun) {
                    String which = existing.map(r -> "run " + r.runId() + ", started " + r.createdAt())
                            .orElse("a run from before run identities");
                    throw new RunFolderException("job.output " + dir + " holds another run (" + which + "). To continue it, "
                            + "add --resume; to start afresh, add --overwrite (it moves that run aside to a sibling folder, "
                            + "deleting nothing); or choose another job.output.");
                }
                return create(now);
            }
        }
    }

    /** The folder's run, if it has a {@code run.json}. */
    public Optional<RunIdentity> identity() throws IOException {
        Path file = new Path(dir, IDENTITY);
        return fs.exists(file) ? Optional.of(ManifestIO.readJson(fs, file, RunIdentity.class)) : Optional.empty();
    }

    private boolean holdsRun() throws IOException {
        for (String name : RUN_CONTENT) {
            if (fs.exists(new Path(dir, name))) {
                return true;
            }
        }
        return false;
    }

    private RunIdentity create(RunIdentity now) throws IOException {
        fs.mkdirs(dir);
        try {
            publish.createFile(new Path(dir, IDENTITY), o -> ManifestIO.JSON.writeValue(o, now));
        } catch (AlreadyPublishedException e) {
            throw new RunFolderException("job.output " + dir + ": another run started into it at the same moment; this one "
                    + "wrote nothing. Choose another job.output, or --resume that run once it has stopped.");
        }
        return now;
    }
}
