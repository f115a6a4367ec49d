package io.alexnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A folder of model versions on any Hadoop FileSystem and a pointer to the one in production:
 *
 * <pre>
 * registry/versions/v000001/{model.zip, card.json}
 * registry/versions/v000002/...
 * registry/PRODUCTION          {"version": "v000002", ...}
 * </pre>
 *
 * A version is written under a temporary name and renamed into place. The pointer is replaced with
 * {@link FileContext#rename} and {@code OVERWRITE}, which is atomic on HDFS and POSIX file systems:
 * a reader sees the old production model or the new one, never neither. Promotion happens only when
 * the candidate beats production by the configured margin on the same validation set.
 */
public final class ModelRegistry {

    private static final Pattern VERSION = Pattern.compile("v(\\d{6})");
    static final String POINTER = "PRODUCTION";

    private final FileSystem fs;
    private final FileContext fc;
    private final Path root;
    private final Path versions;
    private final ObjectMapper json = new ObjectMapper();

    /** A model version in the registry. */
    public record Registered(Path path, ModelCard card) {

        public Path model() {
            return new Path(path, "model.zip");
        }
    }

    /** Production's pointer file. */
    public record Pointer(String version, String promotedAt, String reason) {
    }

    /**
     * The outcome of {@link #promoteIfBetter}.
     *
     * @param promoted   whether the candidate is now production
     * @param production the production version after the decision
     * @param reason     one line a person or a scheduler's log can read
     */
    public record Decision(boolean promoted, String production, String reason) {
    }

    public ModelRegistry(Path root, Configuration hadoop) throws IOException {
        this.fs = root.getFileSystem(hadoop);
        this.root = fs.makeQualified(root);
        this.versions = new Path(this.root, "versions");
        this.fc = FileContext.getFileContext(this.root.toUri(), hadoop);
        fs.mkdirs(versions);
    }

    /** Writes the model as the next version. The card's version and time are set here. */
    public Registered register(ComputationGraph network, ModelCard card) throws IOException {
        String version = String.format("v%06d", nextNumber());
        ModelCard stamped = card.registeredAs(version, Instant.now().toString());
        Path temp = new Path(versions, "_tmp-" + version + "-" + UUID.randomUUID());
        fs.mkdirs(temp);
        try (FSDataOutputStream out = fs.create(new Path(temp, "model.zip"), false)) {
            ModelSerializer.writeModel(network, out, false);
        }
        try (FSDataOutputStream out = fs.create(new Path(temp, "card.json"), false)) {
            out.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(stamped));
        }
        Path target = new Path(versions, version);
        if (!fs.rename(temp, target)) {
            throw new IOException("cannot rename " + temp + " to " + target + " (another registration at the same time?)");
        }
        return new Registered(target, stamped);
    }

    /** The production model, if one was ever promoted. */
    public Optional<Registered> production() throws IOException {
        Path pointer = new Path(root, POINTER);
        if (!fs.exists(pointer)) {
            return Optional.empty();
        }
        Pointer p;
        try (FSDataInputStream in = fs.open(pointer)) {
            p = json.readValue((InputStream) in, Pointer.class);
        }
        return Optional.of(version(p.version()));
    }

    /** One registered version. */
    public Registered version(String version) throws IOException {
        Path dir = new Path(versions, version);
        try (FSDataInputStream in = fs.open(new Path(dir, "card.json"))) {
            return new Registered(dir, json.readValue((InputStream) in, ModelCard.class));
        }
    }

    /** All versions, oldest first. */
    public List<Registered> history() throws IOException {
        List<Registered> out = new ArrayList<>();
        for (FileStatus st : fs.listStatus(versions)) {
            if (st.isDirectory() && VERSION.matcher(st.getPath().getName()).matches()) {
                out.add(version(st.getPath().getName()));
            }
        }
        out.sort((a, b) -> a.card().version().compareTo(b.card().version()));
        return out;
    }

    /**
     * Makes the candidate production if there is none, or if its top-1 error is lower than
     * production's by more than {@code margin} on the same validation set (the cards must name the
     * same set).
     */
    public Decision promoteIfBetter(Registered candidate, double margin) throws IOException {
        return promoteIfBetter(candidate, margin, OptionalDouble.empty());
    }

    /**
     * As {@link #promoteIfBetter(Registered, double)}, but with production's top-1 error measured
     * just now on the candidate's validation set (what {@code retrain} does, so that both models
     * are judged by the same code on the same images whatever production's card says).
     */
    public Decision promoteIfBetter(Registered candidate, double margin, OptionalDouble productionTop1Now)
            throws IOException {
        Optional<Registered> current = production();
        ModelCard c = candidate.card();
        double productionTop1 = Double.NaN;
        if (current.isPresent()) {
            ModelCard p = current.get().card();
            if (productionTop1Now.isEmpty() && !p.evaluatedOn().equals(c.evaluatedOn())) {
                return new Decision(false, p.version(), String.format(
                        "kept %s: %s was evaluated on %s, production on %s; errors on different sets do not compare",
                        p.version(), c.version(), c.evaluatedOn(), p.evaluatedOn()));
            }
            productionTop1 = productionTop1Now.orElse(p.top1Error());
            if (!(c.top1Error() < productionTop1 - margin)) {
                return new Decision(false, p.version(), String.format(Locale.ROOT,
                        "kept %s: %s has top-1 error %.4f vs production's %.4f, not better by more than the margin %.4f",
                        p.version(), c.version(), c.top1Error(), productionTop1, margin));
            }
        }
        String reason = current.isPresent()
                ? String.format(Locale.ROOT, "promoted %s: top-1 error %.4f vs %s's %.4f (margin %.4f)", c.version(),
                        c.top1Error(), current.get().card().version(), productionTop1, margin)
                : String.format(Locale.ROOT, "promoted %s: first production model (top-1 error %.4f)", c.version(),
                        c.top1Error());
        writePointer(new Pointer(c.version(), Instant.now().toString(), reason));
        return new Decision(true, c.version(), reason);
    }

    private void writePointer(Pointer p) throws IOException {
        Path temp = new Path(root, "." + POINTER + "-" + UUID.randomUUID());
        try (FSDataOutputStream out = fs.create(temp, false)) {
            out.write(json.writeValueAsBytes(p));
            out.hsync();
        }
        fc.rename(temp, new Path(root, POINTER), Options.Rename.OVERWRITE);
    }

    private int nextNumber() throws IOException {
        int max = 0;
        for (FileStatus st : fs.listStatus(versions)) {
            var m = VERSION.matcher(st.getPath().getName());
            if (m.matches()) {
                max = Math.max(max, Integer.parseInt(m.group(1)));
            }
        }
        return max + 1;
    }
}
