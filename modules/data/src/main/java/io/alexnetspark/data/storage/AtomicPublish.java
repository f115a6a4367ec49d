package io.alexnetspark.data.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.hdfs.DistributedFileSystem;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The one way this project makes a write durable, on any Hadoop FileSystem: the bytes go to a
 * staging name beside the target ({@code _tmp.<name>.<uuid>}), are synced where the file system
 * offers it, and only then take the target's name in one step. Never delete-then-rename: a reader
 * sees the old state or the new one, never none and never a mix.
 *
 * <ul>
 *   <li><b>HDFS</b>: {@link DistributedFileSystem#rename(Path, Path, Options.Rename...)} is one
 *       NameNode operation; with {@code OVERWRITE} it replaces a file, without it it fails if the
 *       target exists (also a folder: never "moved into" it, which {@code FileSystem.rename} does).</li>
 *   <li><b>file://</b>: files are written through the raw local file system (no {@code .crc} side
 *       files, whose separate rename would let a reader see new bytes with an old checksum);
 *       {@code rename(2)} replaces a file atomically. Publishing a name only if absent takes a lock
 *       file in the folder (cooperating writers, threads and processes of this host) around the
 *       check and the rename, because {@code RawLocalFileSystem.rename} falls back to copying into
 *       an existing folder.</li>
 *   <li><b>Anything else</b> (S3A, GCS, ...): best effort, said in the README: object stores have
 *       no atomic rename; a replace there deletes and renames, and "only if absent" is a check.</li>
 * </ul>
 *
 * Every mutation goes through the Hadoop FileSystem API (the crash-point tests count them there).
 */
public final class AtomicPublish {

    /** What staging names start with; anything so named is a writer's, never a published state. */
    public static final String STAGING_PREFIX = "_tmp.";
    private static final String LOCK_FILE = ".publish.lock";
    private static final long LOCK_WAIT_NS = TimeUnit.SECONDS.toNanos(30);

    /** Writes a document's bytes; the stream is closed by the caller. */
    @FunctionalInterface
    public interface Body {
        void writeTo(OutputStream out) throws IOException;
    }

    private enum Kind { HDFS, LOCAL, OTHER }

    private final FileSystem fs;
    /** Where bytes and names change: the raw file system under a local one, else {@link #fs}. */
    private final FileSystem writes;
    private final Kind kind;

    /** @param fs the file system the targets are on */
    public AtomicPublish(FileSystem fs) {
        this.fs = fs;
        if (fs instanceof DistributedFileSystem) {
            kind = Kind.HDFS;
            writes = fs;
        } else if (fs instanceof LocalFileSystem local) {
            kind = Kind.LOCAL;
            writes = local.getRaw();
        } else if (fs instanceof RawLocalFileSystem) {
            kind = Kind.LOCAL;
            writes = fs;
        } else {
            kind = Kind.OTHER;
            writes = fs;
        }
    }

    /** The publisher for the file system {@code path} is on. */
    public static AtomicPublish on(Path path, Configuration conf) throws IOException {
        return new AtomicPublish(path.getFileSystem(conf));
    }

    /** Whether a file or folder name is a writer's staging name (to be ignored by readers). */
    public static boolean isStaging(String name) {
        return name.startsWith(STAGING_PREFIX);
    }

    /** The file system this publisher writes to. */
    public FileSystem fileSystem() {
        return fs;
    }

    /**
     * Replaces (or creates) {@code target} with the bytes {@code body} writes.
     *
     * @throws IOException nothing is published then; the previous file, if any, is unchanged
     */
    public void replaceFile(Path target, Body body) throws IOException {
        Path staged = writeStaged(target, body);
        moveOver(staged, target);
    }

    /**
     * Creates {@code target} with the bytes {@code body} writes, only if nothing has that name.
     *
     * @throws AlreadyPublishedException if something has (the other writer won; nothing is changed)
     */
    public void createFile(Path target, Body body) throws IOException {
        Path staged = writeStaged(target, body);
        moveIfAbsent(staged, target);
    }

    /** A fresh staging name beside {@code target}. */
    public Path stagingPath(Path target) {
        return new Path(target.getParent(), STAGING_PREFIX + target.getName() + "." + UUID.randomUUID());
    }

    /**
     * Creates a staging folder beside {@code target}, to fill with {@link #writeFile} and publish with
     * {@link #moveIfAbsent}.
     */
    public Path stageDirectory(Path target) throws IOException {
        Path staged = stagingPath(target);
        if (!writes.mkdirs(staged)) {
            throw new IOException("cannot create the staging folder " + staged);
        }
        return staged;
    }

    /** Writes one file in full and syncs it (inside a staging folder, or as a staging file). */
    public void writeFile(Path file, Body body) throws IOException {
        try (FSDataOutputStream out = createStaging(file)) {
            body.writeTo(new KeepOpen(out));
            sync(out);
        }
    }

    /**
     * Opens a staging file for a writer that streams (a shard); {@link #sync} it before closing, then
     * {@link #moveOver} or {@link #moveIfAbsent}.
     */
    public FSDataOutputStream createStaging(Path staged) throws IOException {
        writes.mkdirs(staged.getParent());
        return writes.create(staged, false);
    }

    /** Flushes the stream to the disks, where the file system can (hsync); else just flushes. */
    public static void sync(FSDataOutputStream out) throws IOException {
        if (out.hasCapability(StreamCapabilities.HSYNC)) {
            out.hsync();
        } else {
            out.flush();
        }
    }

    /** Gives a written staging file the target's name in one step, replacing what had it. */
    public void moveOver(Path staged, Path target) throws IOException {
        switch (kind) {
            case HDFS -> ((DistributedFileSystem) fs).rename(staged, target, Options.Rename.OVERWRITE);
            case LOCAL -> {
                // A checksum of an older copy (written through the checksummed local file system)
                // would no longer match: gone first, so a reader sees the old bytes unchecked or the new.
                Path crc = new Path(target.getParent(), "." + target.getName() + ".crc");
                if (writes.exists(crc)) {
                    writes.delete(crc, false);
                }
                if (writes.getFileStatus(staged).isDirectory() || isDirectory(target)) {
                    throw new IOException("cannot replace " + target + " with " + staged + ": only files are replaced");
                }
                if (!writes.rename(staged, target)) {
                    throw new IOException("cannot rename " + staged + " to " + target);
                }
                syncDirectory(target.getParent());
            }
            default -> {
                if (!fs.rename(staged, target)) {
                    // Object stores: not atomic (said in the README).
                    fs.delete(target, false);
                    if (!fs.rename(staged, target)) {
                        throw new IOException("cannot rename " + staged + " to " + target);
                    }
                }
            }
        }
    }

    /**
     * Gives a staging file or folder the target's name, only if nothing has it.
     *
     * @throws AlreadyPublishedException if something has; the staging copy is removed
     */
    public void moveIfAbsent(Path staged, Path target) throws IOException {
        if (!renameIfAbsent(staged, target)) {
            writes.delete(staged, true);
            throw new AlreadyPublishedException(target);
        }
    }

    /** Renames {@code from} to {@code to} in one step if nothing has that name; false if something has. */
    private boolean renameIfAbsent(Path from, Path to) throws IOException {
        switch (kind) {
            case HDFS -> {
                try {
                    ((DistributedFileSystem) fs).rename(from, to, Options.Rename.NONE);
                    return true;
                } catch (FileAlreadyExistsException e) {
                    return false;
                }
            }
            case LOCAL -> {
                boolean moved;
                try (LocalLock lock = LocalLock.take(localFile(to.getParent()))) {
                    moved = !writes.exists(to) && writes.rename(from, to);
                }
                if (moved) {
                    syncDirectory(to.getParent());
                }
                return moved;
            }
            default -> {
                return !fs.exists(to) && fs.rename(from, to);
            }
        }
    }

    /**
     * Moves a published file or folder aside under a new name beside it (never deletes it).
     *
     * @return where it is now
     */
    public Path moveAside(Path target, String label) throws IOException {
        Path aside = new Path(target.getParent(), target.getName() + "." + label);
        if (!renameIfAbsent(target, aside)) {
            throw new AlreadyPublishedException(aside, "cannot move " + target + " aside: " + aside + " exists");
        }
        return aside;
    }

    /**
     * Deletes the staging files and folders under {@code dir} (recursively): what crashed writers
     * left. Only for a folder that no other writer is writing to at the same time.
     *
     * @return how many were removed
     */
    public int removeStaging(Path dir) throws IOException {
        if (!fs.exists(dir)) {
            return 0;
        }
        int removed = 0;
        for (FileStatus st : fs.listStatus(dir)) {
            if (isStaging(st.getPath().getName())) {
                writes.delete(st.getPath(), true);
                removed++;
            } else if (st.isDirectory()) {
                removed += removeStaging(st.getPath());
            }
        }
        return removed;
    }

    private Path writeStaged(Path target, Body body) throws IOException {
        Path staged = stagingPath(target);
        try {
            writeFile(staged, body);
        } catch (IOException | RuntimeException e) {
            try {
                writes.delete(staged, false);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
        return staged;
    }

    private java.nio.file.Path localFile(Path p) {
        return ((RawLocalFileSystem) writes).pathToFile(p).toPath();
    }

    private boolean isDirectory(Path p) throws IOException {
        return writes.exists(p) && writes.getFileStatus(p).isDirectory();
    }

    /** A rename is durable once its folder is synced (POSIX); best effort. */
    private void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(localFile(dir), StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Some file systems cannot sync a folder; the rename itself stays atomic.
        }
    }

    /** An exclusive lock on a folder's lock file, between threads and processes of this host. */
    private static final class LocalLock implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private LocalLock(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static LocalLock take(java.nio.file.Path dir) throws IOException {
            FileChannel channel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            long deadline = System.nanoTime() + LOCK_WAIT_NS;
            try {
                while (true) {
                    try {
                        return new LocalLock(channel, channel.lock());
                    } catch (OverlappingFileLockException e) {
                        // Another thread of this JVM holds it (file locks are per process): wait for it.
                        if (System.nanoTime() > deadline) {
                            throw new IOException("timed out waiting for the lock " + dir.resolve(LOCK_FILE));
                        }
                        Thread.sleep(5);
                    }
                }
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            } catch (InterruptedException e) {
                channel.close();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted waiting for the lock " + dir.resolve(LOCK_FILE), e);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }

    /** Jackson, DL4J and others close the stream they write; the sync needs it open. */
    private static final class KeepOpen extends java.io.FilterOutputStream {
        KeepOpen(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
