package io.alexnetspark.train;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedDriverDirsTest {

    @Test
    void deletesOnlyTheNewFoldersOfThisProcesssDrivers() throws Exception {
        Path root = Path.of(CommonContext.getAeronDirectoryName()).getParent();
        // Present before the snapshot: kept even though this process wrote it.
        Path old = startAndStop(root.resolve("aeron-test-old-" + UUID.randomUUID()));
        EmbeddedDriverDirs dirs = EmbeddedDriverDirs.snapshot();
        Path fresh = startAndStop(root.resolve("aeron-test-new-" + UUID.randomUUID()));
        // New but not an Aeron driver's (no cnc.dat naming this process): kept.
        Path foreign = Files.createDirectories(root.resolve("aeron-test-foreign-" + UUID.randomUUID()));
        try {
            assertThat(EmbeddedDriverDirs.driverPid(fresh)).isEqualTo(ProcessHandle.current().pid());
            assertThat(EmbeddedDriverDirs.driverPid(foreign)).isEqualTo(-1);

            assertThat(dirs.deleteOwnDrivers()).containsExactly(fresh);
            assertThat(fresh).doesNotExist();
            assertThat(old).isDirectory();
            assertThat(foreign).isDirectory();
        } finally {
            for (Path dir : new Path[] {old, fresh}) {
                if (Files.exists(dir)) {
                    try (var files = Files.walk(dir)) {
                        for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                            Files.delete(p);
                        }
                    }
                }
            }
            Files.deleteIfExists(foreign);
        }
    }

    /** An embedded driver that leaves its folder behind, as DL4J's do. */
    private static Path startAndStop(Path dir) {
        MediaDriver.Context ctx = new MediaDriver.Context().aeronDirectoryName(dir.toString())
                .threadingMode(ThreadingMode.SHARED).dirDeleteOnStart(true).dirDeleteOnShutdown(false);
        try (MediaDriver ignored = MediaDriver.launchEmbedded(ctx)) {
            assertThat(dir.resolve("cnc.dat")).exists();
        }
        return dir;
    }
}
