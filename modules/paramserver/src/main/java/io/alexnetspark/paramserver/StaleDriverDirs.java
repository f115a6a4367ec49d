package io.alexnetspark.paramserver;

import io.aeron.CncFileDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes the Aeron directories that embedded media drivers of this project ({@code alexnet-ps-*})
 * left behind when their JVM was killed (SIGKILL, OOM killer, a lost executor): up to a few hundred
 * MB of RAM each in /dev/shm, which nothing else frees. A directory goes only when its
 * {@code cnc.dat} names a driver process that no longer runs; one without a readable cnc.dat (a
 * driver still starting) or of a live process is left alone.
 */
public final class StaleDriverDirs {

    private static final Logger LOG = LoggerFactory.getLogger(StaleDriverDirs.class);
    static final String PREFIX = "alexnet-ps-";

    private StaleDriverDirs() {
    }

    /**
     * Deletes the stale {@code alexnet-ps-*} directories under {@code root}.
     *
     * @return the directories deleted
     */
    public static List<Path> removeUnder(Path root) {
        List<Path> removed = new ArrayList<>();
        if (root == null || !Files.isDirectory(root)) {
            return removed;
        }
        List<Path> dirs;
        try (Stream<Path> s = Files.list(root)) {
            dirs = s.filter(p -> p.getFileName().toString().startsWith(PREFIX) && Files.isDirectory(p)).toList();
        } catch (IOException e) {
            return removed;
        }
        for (Path dir : dirs) {
            long pid = driverPid(dir);
            if (pid <= 0 || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue;
            }
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
                removed.add(dir);
            } catch (IOException e) {
                LOG.warn("could not delete the stale Aeron directory {}: {}", dir, e.toString());
            }
        }
        if (!removed.isEmpty()) {
            LOG.info("removed {} Aeron directories of media drivers that no longer run: {}", removed.size(), removed);
        }
        return removed;
    }

    /** The pid the driver wrote into its cnc.dat, or -1 when there is none to read. */
    public static long driverPid(Path dir) {
        Path cnc = dir.resolve(CncFileDescriptor.CNC_FILE);
        try (FileChannel ch = FileChannel.open(cnc, StandardOpenOption.READ)) {
            if (ch.size() < CncFileDescriptor.META_DATA_LENGTH) {
                return -1;
            }
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, CncFileDescriptor.META_DATA_LENGTH);
            UnsafeBuffer meta = CncFileDescriptor.createMetaDataBuffer(map);
            return meta.getLong(CncFileDescriptor.pidOffset(0));
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
