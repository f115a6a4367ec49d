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
        MediaDriver driver = setup.embedded() ? launchDriver(setup.aeronDir()) : null;
        try {
            Aeron aeron = Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(setup.aeronDir())
                .errorHandler(t -> LOG.warn("aeron client error", t)));
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
            .errorHandler(t -> LOG.warn("media driver error", t));
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

    public Aeron aeron() {
        return aeron;
    }

    @Override
    public void close() {
        CloseHelper.closeAll(aeron, driver);
    }
}
