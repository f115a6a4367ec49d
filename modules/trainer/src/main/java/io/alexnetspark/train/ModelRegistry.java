package io.alexnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import io.alexnetspark.data.storage.AlreadyPublishedException;
import io.alexnetspark.data.storage.AtomicPublish;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
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
import java.util.regex.Pattern;

/**
 * A folder of model versions on any Hadoop FileSystem and a pointer to the one in production:
 *
 * <pre>
 * registry/versions/v000001/{model.zip, card.json}
 * registry/versions/v000002/...
 * registry/promotions/p000001.json   {"version": "v000001", ...}
 * registry/promotions/p000002.json   {"version": "v000002", ...}   production: the newest promotion
 * registry/PRODUCTION                a copy of the newest promotion, for people and tools
 * </pre>
 *
 * Versions and promotions are staged and published only if their name is free
 * ({@link AtomicPublish}): two registrations of one number, or two promotions after the same
 * production, cannot both succeed, and a reader sees the old production or the new one, never
 * neither. Promotion happens only when the candidate beats production by the configured margin on
 * the same validation set, and only if production is still the version it was judged against.
 */
public final class ModelRegistry {

    private static final Pattern VERSION = Pattern.compile("v(\\d{6})");
    private static final Pattern PROMOTION = Pattern.compile("p(\\d{6})\\.json");
    static final String POINTER = "PRODUCTION";

    private final FileSystem fs;
    private final AtomicPublish publish;
    private final Path root;
    private final Path versions;
    private final Path promotions;
    private final ObjectMapper json = new ObjectMapper();

    /** A model version in the registry. */
    public record Registered(Path path, ModelCard card) {

        public Path model() {
            return new Path(path, "model.zip");
        }
    }

    /** Production when it was judged: the promotions so far, and the version they left in production (or null). */
    public record Judged(int sequence, String version) {
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
        this.promotions = new Path(this.root, "promotions");
        this.publish = new AtomicPublish(fs);
        fs.mkdirs(versions);
    }

    /**
     * Writes the model as the next version, created only if no other registration took that number.
     * The card's version and time are set here.
     *
     * @throws AlreadyPublishedException if another registration took the number first (nothing of
     *                                   this one is kept; registering again takes the next number)
     */
    public Registered register(ComputationGraph network, ModelCard card) throws IOException {
        String version = String.format("v%06d", nextNumber());
        ModelCard stamped = card.registeredAs(version, Instant.now().toString());
        Path target = new Path(versions, version);
        Path staged = publish.stageDirectory(target);
        publish.writeFile(new Path(staged, "model.zip"), out -> ModelSerializer.writeModel(network, out, false));
        publish.writeFile(new Path(staged, "card.json"), out -> out.write(json.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(stamped)));
        try {
            publish.moveIfAbsent(staged, target);
        } catch (AlreadyPublishedException e) {
            throw new AlreadyPublishedException(target, "version " + version + " of " + root + " was registered by another "
                    + "writer at the same moment; this registration kept nothing (register again for the next number)");
        }
        return new Registered(target, stamped);
    }

    /** The production model, if one was ever promoted. */
    public Optional<Registered> production() throws IOException {
        Optional<Pointer> p = pointer();
        return p.isPresent() ? Optional.of(version(p.get().version())) : Optional.empty();
    }

    /**
     * Production's pointer: the newest promotion ({@code promotions/pNNNNNN.json}, each created once),
     * else (a registry from before promotions were numbered) the {@code PRODUCTION} file.
     */
    public Optional<Pointer> pointer() throws IOException {
        return pointer(newestPromotion());
    }

    private Optional<Pointer> pointer(int newest) throws IOException {
        Path file = newest > 0 ? promotionFile(newest) : new Path(root, POINTER);
        if (!fs.exists(file)) {
            return Optional.empty();
        }
        try (FSDataInputStream in = fs.open(file)) {
            return Optional.of(json.readValue((InputStream) in, Pointer.class));
        }
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
        return promoteIfBetter(candidate, margin, productionTop1Now, null);
    }

    /**
     * As above, judged against production as it was when its error was measured ({@link #judge},
     * possibly hours before): the promotion is a compare-and-swap on the promotion count. If any
     * promotion happened since (another retrain promoted meanwhile), nothing changes and
     * {@link ProductionChangedException} says so; the candidate stays registered.
     *
     * @param judged production when {@code productionTop1Now} was measured; null to take it now
     */
    public Decision promoteIfBetter(Registered candidate, double margin, OptionalDouble productionTop1Now,
                                    Judged judged) throws IOException {
        Judged now = judge();
        if (judged != null && judged.sequence() != now.sequence()) {
            throw new ProductionChangedException(root, judged.version(), now.version());
        }
        int sequence = now.sequence();
        Optional<Registered> current = now.version() == null ? Optional.empty() : Optional.of(version(now.version()));
        String currentVersion = now.version();
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
        Pointer next = new Pointer(c.version(), Instant.now().toString(), reason);
        // The swap: promotion number sequence + 1 is created once. Whoever created it first won; the
        // loser read an older production and must judge again.
        try {
            publish.createFile(promotionFile(sequence + 1), out -> out.write(json.writeValueAsBytes(next)));
        } catch (AlreadyPublishedException e) {
            throw new ProductionChangedException(root, currentVersion, pointer().map(Pointer::version).orElse(null));
        }
        // A copy for people and tools that read one file; the promotions are what counts.
        publish.replaceFile(new Path(root, POINTER), out -> out.write(json.writeValueAsBytes(next)));
        return new Decision(true, c.version(), reason);
    }

    /**
     * Production as it is now: the number of promotions so far and the version they made production
     * (null: none). Take it when judging production, and hand it to {@link #promoteIfBetter}.
     */
    public Judged judge() throws IOException {
        int newest = newestPromotion();
        return new Judged(newest, pointer(newest).map(Pointer::version).orElse(null));
    }

    private Path promotionFile(int n) {
        return new Path(promotions, String.format("p%06d.json", n));
    }

    /** The newest promotion's number; 0 if none. */
    private int newestPromotion() throws IOException {
        int max = 0;
        if (fs.exists(promotions)) {
            for (FileStatus st : fs.listStatus(promotions)) {
                var m = PROMOTION.matcher(st.getPath().getName());
                if (m.matches()) {
                    max = Math.max(max, Integer.parseInt(m.group(1)));
                }
            }
        }
        return max;
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
