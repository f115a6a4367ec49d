package io.alexnetspark.train;

import com.typesafe.config.Config;
import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.model.config.SettingsReader;
import io.alexnetspark.paramserver.MacAlgorithm;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The {@code job} and {@code paramserver} blocks of the configuration, validated: what the
 * distributed job needs beyond the network and the data.
 */
public record TrainSettings(String data, String output, SyncMode syncMode, int replicas, int tau, int keepCheckpoints,
                            String evaluation, boolean averageMomentum, String transport, String host, int port, int shards, int quorum, MacAlgorithm mac,
                            Duration roundTimeout, Placement placement, List<String> shardHosts, long jobId,
                            String secretFile, RecoverySettings recovery, int checkpointEveryRounds,
                            boolean networkTrusted) {

    /** Validation sets above this many images are evaluated on the executors under {@code job.evaluation = auto}. */
    public static final long DRIVER_EVALUATION_LIMIT = 10_000;

    /** Where the parameter server of {@code aeron-averaging} runs ({@code paramserver.placement}). */
    public enum Placement {
        /** Embedded in the driver. */
        DRIVER,
        /** One shard beside every replica, for the length of each epoch's stage. */
        EXECUTORS,
        /** Already running elsewhere (the {@code paramserver} command on a dedicated node), started for this job. */
        EXTERNAL;
    }

    /** How replicas are kept in step. */
    public enum SyncMode {
        AERON_AVERAGING, SPARK_AVERAGING, DL4J_GRADIENT_SHARING;
    }

    /** Reads and validates; errors name the key. */
    public static TrainSettings from(Config config) {
        return from(config, true);
    }

    /**
     * Checks every job and parameter-server value as {@link #from} does, without requiring
     * {@code job.data} and {@code job.output} (for {@code config}, which validates without a run).
     */
    public static void checkValues(Config config) {
        from(config, false);
    }

    private static TrainSettings from(Config config, boolean requirePaths) {
        SettingsReader r = new SettingsReader(config);
        String data = requirePaths ? required(r, "job.data") : r.string("job.data");
        String output = requirePaths ? required(r, "job.output") : r.string("job.output");
        int replicas = r.intAtLeast("job.replicas", 1);
        int quorum = r.intAtLeast("paramserver.quorum", 0);
        if (quorum > replicas) {
            throw new InvalidConfigException("paramserver.quorum", "must not exceed job.replicas (" + replicas + "), got " + quorum);
        }
        String transport = r.string("paramserver.transport").toLowerCase(Locale.ROOT);
        if (!transport.equals("auto") && !transport.equals("udp") && !transport.equals("ipc")) {
            throw new InvalidConfigException("paramserver.transport", "expected auto, udp or ipc, got '" + transport + "'");
        }
        int port = r.intAtLeast("paramserver.port", 1);
        if (port > 65535) {
            throw new InvalidConfigException("paramserver.port", "must be at most 65535, got " + port);
        }
        String evaluation = r.string("job.evaluation").toLowerCase(Locale.ROOT);
        if (!evaluation.equals("auto") && !evaluation.equals("driver") && !evaluation.equals("spark")) {
            throw new InvalidConfigException("job.evaluation", "expected auto, driver or spark, got '" + evaluation + "'");
        }
        Duration timeout = r.duration("paramserver.round-timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new InvalidConfigException("paramserver.round-timeout", "must be positive, got " + timeout);
        }
        int shards = r.intAtLeast("paramserver.shards", 1);
        Placement placement = r.choice("paramserver.placement", Placement.class);
        if (placement != Placement.DRIVER && transport.equals("ipc")) {
            throw new InvalidConfigException("paramserver.placement", placement.name().toLowerCase(Locale.ROOT)
                    + " reaches the shards over UDP: set paramserver.transport to auto or udp, not ipc");
        }
        List<String> shardHosts = r.strings("paramserver.shard-hosts");
        long jobId = r.longValue("paramserver.job-id");
        String secretFile = r.string("paramserver.secret-file");
        if (placement == Placement.EXTERNAL) {
            if (r.string("paramserver.host").isBlank() && shardHosts.isEmpty()) {
                throw new InvalidConfigException("paramserver.host", "required with placement = external: the server's address");
            }
            if (secretFile.isBlank()) {
                throw new InvalidConfigException("paramserver.secret-file",
                        "required with placement = external: the file the server was started with (--secret-file)");
            }
            if (!shardHosts.isEmpty() && shardHosts.size() != shards) {
                throw new InvalidConfigException("paramserver.shard-hosts", "one host per shard: " + shardHosts.size()
                        + " hosts for paramserver.shards = " + shards);
            }
        }
        return new TrainSettings(data, output, r.choice("job.sync-mode", SyncMode.class), replicas,
                r.intAtLeast("job.tau", 1), r.intAtLeast("job.keep-checkpoints", 1), evaluation, r.bool("job.average-momentum"), transport,
                r.string("paramserver.host"), port, shards,
                quorum == 0 ? replicas : quorum, r.choice("paramserver.mac", MacAlgorithm.class), timeout, placement,
                List.copyOf(shardHosts), jobId, secretFile, RecoverySettings.from(r, replicas),
                r.intAtLeast("job.checkpoint-every-rounds", 0), r.bool(SparkSecurityCheck.NETWORK_TRUSTED_KEY));
    }

    /** Whether validation runs on the executors, per {@code job.evaluation}. */
    public boolean evaluateOnExecutors(boolean localMaster, long validationImages) {
        return switch (evaluation) {
            case "spark" -> true;
            case "driver" -> false;
            default -> !localMaster || validationImages > DRIVER_EVALUATION_LIMIT;
        };
    }

    private static String required(SettingsReader r, String key) {
        String v = r.string(key);
        if (v.isBlank()) {
            throw new InvalidConfigException(key, "required (set it in your --config file or with --set " + key + "=URI)");
        }
        return v;
    }
}
