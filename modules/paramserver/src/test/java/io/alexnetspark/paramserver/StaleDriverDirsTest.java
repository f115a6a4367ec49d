package io.alexnetspark.paramserver;

import io.aeron.CncFileDescriptor;
import io.aeron.driver.MediaDriver;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The folders of media drivers whose JVM was killed go at the next driver's start; those of live
 * drivers, of other software, and of drivers still starting stay. Real drivers' real cnc.dat files.
 */
class StaleDriverDirsTest {

    @Test
    void aDeadDriversFolderIsRemovedAndALiveOnesIsKept() throws Exception {
        Path root = AeronDirs.privateRoot();
        Path dead = root.resolve(StaleDriverDirs.PREFIX + "test-dead-" + UUID.randomUUID());
        Path starting = Files.createDirectories(root.resolve(StaleDriverDirs.PREFIX + "test-starting-" + UUID.randomUUID()));
        Path foreign = root.resolve("aeron-test-foreign-" + UUID.randomUUID());
        // A driver whose folder outlives it, as after SIGKILL: its cnc.dat then names a pid that has exited.
        try (MediaDriver ignored = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dead.toString())
                .dirDeleteOnShutdown(false))) {
            assertThat(StaleDriverDirs.driverPid(dead)).isEqualTo(ProcessHandle.current().pid());
        }
        Process exited = new ProcessBuilder("true").start();
        exited.waitFor();
        writePid(dead, exited.pid());
        Files.copy(dead, foreign);
        Files.createDirectories(foreign);
        try (AeronConnection live = AeronConnection.open(AeronSetup.embeddedFresh())) {
            Path liveDir = Path.of(live.aeron().context().aeronDirectoryName());
            // The live driver's own start removed the dead one's folder: nothing else is touched.
            assertThat(dead).doesNotExist();
            assertThat(liveDir).exists();
            assertThat(starting).exists();
            assertThat(foreign).exists();
            assertThat(StaleDriverDirs.removeUnder(root)).doesNotContain(liveDir, starting, foreign);
            assertThat(liveDir).exists();
        } finally {
            Files.deleteIfExists(starting);
            Files.deleteIfExists(foreign);
        }
    }

    private static void writePid(Path dir, long pid) throws Exception {
        try (FileChannel ch = FileChannel.open(dir.resolve(CncFileDescriptor.CNC_FILE), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, CncFileDescriptor.META_DATA_LENGTH);
            UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(map);
            meta.putLong(CncFileDescriptor.pidOffset(0), pid);
            map.force();
        }
        assertThat(StaleDriverDirs.driverPid(dir)).isEqualTo(pid);
    }
}
