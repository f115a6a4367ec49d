package io.alexnetspark.train;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What makes a training run the run it is, kept in {@code job.output/run.json}: the settings that
 * change what is trained, the dataset (its manifest's fingerprint), the network variant and the
 * code version, fingerprinted together. A resume must match it; a fresh run never writes into a
 * folder that holds another.
 *
 * <p>Left out on purpose: where things are and how fast they go (paths, ports, the parameter
 * server's placement, decoder threads), and {@code training.epochs}, so that a finished run can be
 * extended.
 *
 * @param runId       random, fixed when the run starts; stamped on its checkpoints
 * @param fingerprint SHA-256 over the other parts
 * @param settings    the identifying settings, key to HOCON value
 * @param dataset     the manifest's dataset name and creation time
 * @param manifestSha256 SHA-256 of the manifest's canonical JSON
 * @param variant     the network variant ({@code model.variant})
 * @param codeVersion the project version that started the run
 * @param createdAt   when the run started
 */
public record RunIdentity(String runId, String fingerprint, Map<String, String> settings, String dataset,
                          String manifestSha256, String variant, String codeVersion, String createdAt) {

    /** The sections that shape the training; within them, keys that do not. */
    private static final List<String> SECTIONS = List.of("model", "training", "data.pipeline", "job.sync-mode", "job.tau",
            "job.replicas", "job.average-momentum");
    private static final Set<String> LEFT_OUT = Set.of("training.epochs", "data.pipeline.workers",
            "data.pipeline.prefetch-batches", "data.pipeline.decoder", "data.pipeline.verify-before-use");

    /** The identity a run started now with this configuration and dataset has (a fresh run id). */
    public static RunIdentity of(Config cfg, Manifest manifest) {
        Map<String, String> settings = new TreeMap<>();
        for (String section : SECTIONS) {
            if (!cfg.hasPath(section)) {
                continue;
            }
            Config only = cfg.withOnlyPath(section);
            for (Map.Entry<String, ConfigValue> e : only.entrySet()) {
                if (!LEFT_OUT.contains(e.getKey())) {
                    settings.put(e.getKey(), e.getValue().render(ConfigRenderOptions.concise()));
                }
            }
        }
        String manifestSha;
        try {
            manifestSha = sha256(ManifestIO.JSON.writeValueAsBytes(manifest));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String dataset = manifest.dataset() + "@" + manifest.createdAt();
        String variant = cfg.getString("model.variant");
        String code = currentCodeVersion();
        return new RunIdentity(UUID.randomUUID().toString(), fingerprint(settings, manifestSha, variant, code), settings,
                dataset, manifestSha, variant, code, Instant.now().toString());
    }

    /**
     * How {@code other} (this configuration and data now) differs from this run, part by part;
     * empty when it is the same run.
     *
     * @param allowCodeChange whether another code version is accepted (said, not refused)
     */
    public List<String> differences(RunIdentity other, boolean allowCodeChange) {
        List<String> out = new ArrayList<>();
        Set<String> keys = new java.util.TreeSet<>(settings.keySet());
        keys.addAll(other.settings.keySet());
        List<String> changed = new ArrayList<>();
        for (String k : keys) {
            String was = settings.get(k);
            String now = other.settings.get(k);
            if (!java.util.Objects.equals(was, now)) {
                changed.add(k + " was " + (was == null ? "unset" : was) + ", is " + (now == null ? "unset" : now));
            }
        }
        if (!variant.equals(other.variant)) {
            out.add("the variant: was " + variant + ", is " + other.variant);
        }
        if (!changed.isEmpty()) {
            out.add("the configuration (" + changed.size() + " setting" + (changed.size() == 1 ? "" : "s") + "): "
                    + String.join("; ", changed.subList(0, Math.min(5, changed.size())))
                    + (changed.size() > 5 ? "; ..." : ""));
        }
        if (!manifestSha256.equals(other.manifestSha256)) {
            out.add("the dataset: was " + dataset + " (manifest " + manifestSha256.substring(0, 12) + "), is " + other.dataset
                    + " (manifest " + other.manifestSha256.substring(0, 12) + ")");
        }
        if (!allowCodeChange && !codeVersion.equals(other.codeVersion)) {
            out.add("the code version: was " + codeVersion + ", is " + other.codeVersion
                    + " (--allow-code-change accepts it)");
        }
        return out;
    }

    /** This identity under another run id and start time: the same run, resumed. */
    public RunIdentity continuing(RunIdentity existing) {
        return new RunIdentity(existing.runId, fingerprint, settings, dataset, manifestSha256, variant, codeVersion,
                existing.createdAt);
    }

    private static String fingerprint(Map<String, String> settings, String manifestSha, String variant, String code) {
        StringBuilder all = new StringBuilder();
        settings.forEach((k, v) -> all.append(k).append('=').append(v).append('\n'));
        all.append("manifest=").append(manifestSha).append("\nvariant=").append(variant).append("\ncode=").append(code);
        return sha256(all.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String currentCodeVersion() {
        Properties p = new Properties();
        try (InputStream in = RunIdentity.class.getClassLoader().getResourceAsStream("io/alexnetspark/build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version", "unknown");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JRE", e);
        }
    }
}
