package io.alexnetspark.paramserver;

import java.util.Objects;

/**
 * Which media driver to use: an embedded one this process starts (and whose directory it deletes
 * on close), or an external one already running in {@code aeronDir}.
 *
 * @param aeronDir the driver's directory, e.g. {@code /dev/shm/alexnet-aeron-<user>/alexnet-ps-<uuid>}
 * @param embedded start the driver here
 */
public record AeronSetup(String aeronDir, boolean embedded) implements java.io.Serializable {

    public AeronSetup {
        Objects.requireNonNull(aeronDir, "aeronDir");
    }

    /** An embedded driver in a fresh directory of this user's private root ({@link AeronDirs#fresh()}). */
    public static AeronSetup embeddedFresh() {
        return new AeronSetup(AeronDirs.fresh(), true);
    }

    public static AeronSetup embedded(String dir) {
        return new AeronSetup(dir, true);
    }

    public static AeronSetup external(String dir) {
        return new AeronSetup(dir, false);
    }
}
