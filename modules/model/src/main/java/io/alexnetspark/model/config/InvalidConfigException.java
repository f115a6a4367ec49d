package io.alexnetspark.model.config;

/** A configuration key with a missing, unknown or bad value. The message names the key and the reason. */
public final class InvalidConfigException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String key;

    public InvalidConfigException(String key, String reason) {
        super("config key '" + key + "': " + reason);
        this.key = key;
    }

    /** The offending key, as a dotted path. */
    public String key() {
        return key;
    }
}
