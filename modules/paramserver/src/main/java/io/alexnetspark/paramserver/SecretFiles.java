package io.alexnetspark.paramserver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Reads a job secret from a file, refusing one that others can read or that is too short to be a
 * key: a secret anyone on the host can read is no secret, and a short one can be guessed.
 */
public final class SecretFiles {

    /** The shortest secret taken (128 bits). */
    public static final int MIN_BYTES = 16;

    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);

    private SecretFiles() {
    }

    /**
     * The file's bytes: the secret.
     *
     * @throws IllegalArgumentException naming the file and what is wrong (unreadable, readable or
     *                                  writable by group or others, shorter than {@link #MIN_BYTES})
     */
    public static byte[] read(Path file) {
        byte[] secret;
        Set<PosixFilePermission> perms;
        try {
            secret = Files.readAllBytes(file);
            perms = permissions(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the secret file " + file + ": " + e.getMessage());
        }
        Set<PosixFilePermission> open = EnumSet.noneOf(PosixFilePermission.class);
        open.addAll(perms);
        open.retainAll(OTHERS);
        if (!open.isEmpty()) {
            throw new IllegalArgumentException("the secret file " + file + " can be read or written by others (permissions "
                + PosixFilePermissions.toString(perms) + "): make it the owner's only, e.g. chmod 600 " + file);
        }
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("the secret file " + file + " holds " + secret.length + " bytes; a secret needs at least "
                + MIN_BYTES + ", e.g. head -c 32 /dev/urandom > " + file);
        }
        return secret;
    }

    /** The permissions of the file a link points to (as read); none on a file system that is not POSIX. */
    private static Set<PosixFilePermission> permissions(Path file) throws IOException {
        try {
            return Files.getPosixFilePermissions(file);
        } catch (UnsupportedOperationException e) {
            return Set.of(); // nothing to check
        }
    }
}
