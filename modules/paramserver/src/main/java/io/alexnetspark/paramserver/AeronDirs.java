package io.alexnetspark.paramserver;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * Where this project's media drivers keep their files, and who may read them. A driver's directory
 * holds the term buffers of every stream: the model's parameters and averages. Aeron creates it
 * with the process's umask (world-readable under the usual 022), so the drivers' directories live
 * in a root of this user's own, created 0700 ({@code /dev/shm/alexnet-aeron-<user>}): other local
 * users cannot even list it. A directory given explicitly must not exist yet (Aeron deletes an
 * existing one recursively at start) and is made 0700 once the driver created it.
 */
public final class AeronDirs {

    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private AeronDirs() {
    }

    /** This user's private root for driver directories (created 0700 if missing, checked otherwise). */
    public static Path privateRoot() {
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
        Path root = base.resolve("alexnet-aeron-" + user);
        ensurePrivate(root);
        return root;
    }

    /** A fresh driver directory path in {@link #privateRoot()} (not created: the driver creates it). */
    public static String fresh() {
        return privateRoot().resolve(StaleDriverDirs.PREFIX + UUID.randomUUID()).toString();
    }

    /**
     * Creates {@code dir} 0700 if it does not exist; else requires it to be a real directory (not a
     * link) of this user that nobody else can read or enter.
     *
     * @throws IllegalStateException naming the directory and what is wrong with it
     */
    static void ensurePrivate(Path dir) {
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            return;
        } catch (FileAlreadyExistsException e) {
            // checked below
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: nothing to enforce
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the private Aeron root " + dir, e);
        }
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException(dir + " is not a directory of its own (a link or a file): remove it, "
                    + "it is where this user's Aeron directories go");
            }
            String owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS).getName();
            String me = System.getProperty("user.name");
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (!owner.equals(me) || !OWNER_ONLY.containsAll(perms)) {
                throw new IllegalStateException(dir + " belongs to " + owner + " with permissions "
                    + PosixFilePermissions.toString(perms) + ": the Aeron root must be this user's (" + me
                    + ") and 0700; remove it or fix it (chmod 700)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check the private Aeron root " + dir, e);
        }
    }

    /**
     * Refuses a driver directory that exists already: the media driver would delete it, and all it
     * holds, following links.
     */
    static void requireAbsent(Path dir) {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("the Aeron directory " + dir + " already exists: the media driver would "
                + "delete it and everything in it; give a path that does not exist (it is created 0700 and removed on exit)");
        }
    }

    /** Makes a directory the driver created owner-only (for one given explicitly, outside the private root). */
    static void restrict(Path dir) {
        try {
            Files.setPosixFilePermissions(dir, OWNER_ONLY);
        } catch (UnsupportedOperationException e) {
            // not POSIX
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the Aeron directory " + dir + " private", e);
        }
    }
}
