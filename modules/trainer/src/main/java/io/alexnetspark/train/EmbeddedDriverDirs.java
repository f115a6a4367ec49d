package io.alexnetspark.train;

import io.aeron.CommonContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Removes the Aeron directories that media drivers embedded in this JVM leave behind. DL4J's
 * gradient sharing ({@code dl4j-gradient-sharing}) starts such drivers, named {@code aeron-root-<uuid>}
 * under /dev/shm, keeps them until the JVM exits, and never deletes their folders. A snapshot taken
 * before training tells which folders are new; at JVM exit the new ones are deleted if their
 * {@code cnc.dat} names this process as the driver's (a driver of another process on the same host
 * is left alone, running or not). Our own parameter server deletes its directory itself.
 */
public final class EmbeddedDriverDirs {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDriverDirs.class);

    private final Path root;
    private final Set<Path> before;

    private EmbeddedDriverDirs(Path root, Set<Path> before) {
        this.root = root;
        this.before = before;
    }

    /** The Aeron directories present now, under the folder Aeron's default directory lives in. */
    public static EmbeddedDriverDirs snapshot() {
        Path root = Path.of(CommonContext.getAeronDirectoryName()).getParent();
        return new EmbeddedDriverDirs(root, list(root).stream().collect(Collectors.toSet()));
    }

    /** At JVM exit (after the drivers' last use), {@link #deleteOwnDrivers()}. */
    public void deleteAtExit() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::deleteOwnDrivers, "delete-embedded-aeron-dirs"));
    }

    /**
     * Deletes the directories created since the snapshot by drivers of this process.
     *
     * @return the directories deleted
     */
    public List<Path> deleteOwnDrivers() {
        long self = ProcessHandle.current().pid();
        List<Path> deleted = list(root).stream().filter(d -> !before.contains(d) && driverPid(d) == self).toList();
        for (Path dir : deleted) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.warn("could not delete the Aeron directory {}: {}", dir, e.toString());
            }
        }
        return deleted;
    }

    private static List<Path> list(Path root) {
        if (root == null || !Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("aeron") && Files.isDirectory(p)).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The pid the driver wrote into its cnc.dat, or -1 when there is none to read. */
    static long driverPid(Path dir) {
        return io.alexnetspark.paramserver.StaleDriverDirs.driverPid(dir);
    }
}
