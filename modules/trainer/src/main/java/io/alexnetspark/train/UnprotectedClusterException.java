package io.alexnetspark.train;

import java.util.List;

/**
 * A training run refused before it started: its Spark master sends tasks to other processes, and
 * Spark's settings leave that traffic unauthenticated or in clear ({@link SparkSecurityCheck}).
 * The message says which settings, why, and the ways out.
 */
public final class UnprotectedClusterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<String> missingSettings;

    UnprotectedClusterException(List<String> missingSettings, String message) {
        super(message);
        this.missingSettings = List.copyOf(missingSettings);
    }

    /** The Spark settings that are off or absent, e.g. {@code spark.network.crypto.enabled}. */
    public List<String> missingSettings() {
        return missingSettings;
    }
}
