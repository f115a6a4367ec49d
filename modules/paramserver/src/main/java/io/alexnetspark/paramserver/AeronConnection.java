package io.alexnetspark.paramserver;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Aeron client, plus the embedded media driver it uses when {@link AeronSetup#embedded()}.
 * Closing it closes the client, then the driver, which deletes its directory.
 */
public final class AeronConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AeronConnection.class);

    private final MediaDriver driver;
    private final Aeron aeron;

    private AeronConnection(MediaDriver driver, Aeron aeron) {
        this.driver = driver;
        this.aeron = aeron;
    }

    /** Starts the embedded driver if asked, then connects a client to it. */
    public static AeronConnection open(AeronSetup setup) {
        return open(setup, 0);
    }

    /**
     * As {@link #open(AeronSetup)}, after checking that the driver's folder has room for
     * {@code logBytes} of term buffers: they are sparse files in {@code /dev/shm}, and a page
     * touched when it is full kills the JVM with SIGBUS mid-run instead of failing here.
     */
    public static AeronConnection open(AeronSetup setup, long logBytes) {
        requireSpace(java.nio.file.Path.of(setup.aeronDir()).toAbsolutePath(), logBytes);
        MediaDriver driver = setup.embedded() ? launchDriver(setup.aeronDir()) : null;
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(setup.aeronDir())
                .errorHandler(new OnceErrorLog(LOG, "aeron client")));
            return new AeronConnection(driver, aeron);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(driver);
            throw e;
        }
    }

    /**
     * Launches a media driver fit for a 2-core machine beside other JVMs, after removing the folders
     * of this project's drivers that no longer run ({@link StaleDriverDirs}), in a directory that must
     * not exist yet and is owner-only once created ({@link AeronDirs}).
     *
     * <p>SHARED threading: DEDICATED's three spinning threads starve a small box (0.14 GB/s vs
     * 1.1 GB/s measured). The publication unblock time-out is set above the client liveness
     * time-out explicitly, whatever system properties DL4J or others set, because the driver refuses
     * to start otherwise ({@code publicationUnblockTimeoutNs <= clientLivenessTimeoutNs}).
     */
    /** A log's metadata page and padding, rounded up. */
    private static final long LOG_META_BYTES = 64 * 1024;
    /** The driver's CnC, loss report and error log files. */
    private static final long DRIVER_FILES_BYTES = 4L << 20;

    public static MediaDriver launchDriver(String aeronDir) {
        java.nio.file.Path dir = java.nio.file.Path.of(aeronDir).toAbsolutePath();
        // Killed JVMs leave their drivers' folders (and RAM in /dev/shm) behind: clear those first.
        StaleDriverDirs.removeUnder(dir.getParent());
        AeronDirs.requireAbsent(dir);
        MediaDriver.Context ctx = new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .errorHandler(new OnceErrorLog(LOG, "media driver"));
        long liveness = ctx.clientLivenessTimeoutNs();
        ctx.publicationUnblockTimeoutNs(Math.max(ctx.publicationUnblockTimeoutNs(), liveness + TimeUnit.SECONDS.toNanos(30)));
        MediaDriver driver = MediaDriver.launch(ctx);
        try {
            AeronDirs.restrict(dir);
        } catch (RuntimeException e) {
            CloseHelper.quietClose(driver);
            throw e;
        }
        return driver;
    }

    /** The bytes of {@code logs} publication or image logs of {@code termLength} (three terms and their metadata each). */
    public static long logBytes(int logs, int termLength) {
        return (long) logs * (3L * termLength + LOG_META_BYTES);
    }

    /** What a driver's folder needs for {@code logBytes} of term buffers: those and the driver's own files. */
    public static long requiredSpace(long logBytes) {
        return logBytes + DRIVER_FILES_BYTES;
    }

    private static void requireSpace(java.nio.file.Path dir, long logBytes) {
        if (logBytes <= 0) {
            return;
        }
        java.nio.file.Path existing = dir;
        while (existing != null && !java.nio.file.Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        long need = requiredSpace(logBytes);
        long free;
        try {
            free = java.nio.file.Files.getFileStore(existing).getUsableSpace();
        } catch (java.io.IOException e) {
            return; // cannot tell: the driver's own checks apply
        }
        if (free < need) {
            throw new ParameterServerException(String.format(java.util.Locale.ROOT,
                "not enough free space for the Aeron term buffers in %s: %d MB free, %d MB needed (%d MB of logs plus "
                    + "the driver's files). Free space there (stale folders of killed JVMs are removed at start), give "
                    + "/dev/shm more room (docker --shm-size, a tmpfs size), or use a smaller term length",
                existing, free >> 20, need >> 20, logBytes >> 20));
        }
    }

    public Aeron aeron() {
        return aeron;
    }

    @Override
    public void close() {
        CloseHelper.closeAll(aeron, driver);
    }
}
