package io.alexnetspark.storage;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.DistributedFileSystem;
import org.apache.hadoop.util.Progressable;

import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test-only Hadoop file systems that die at the n-th mutating operation (create, rename, delete,
 * mkdirs), as a process killed there would: that operation does not happen, and neither does any
 * after it (clean-up in finally blocks fails too). Installed for {@code file://} or {@code hdfs://}
 * through a Configuration ({@link #local}, {@link #hdfs}); the budget is found by an id in it,
 * because Hadoop makes file systems by reflection.
 */
public final class CrashingFileSystems {

    private static final String ID_KEY = "alexnet.test.crash.id";
    /** Budgets by id: Hadoop instantiates the file systems, so they find theirs here (test code only). */
    private static final Map<String, Budget> BUDGETS = new ConcurrentHashMap<>();

    private CrashingFileSystems() {
    }

    /** The simulated death. */
    public static final class CrashException extends IOException {
        CrashException(String message) {
            super(message);
        }
    }

    /** Counts mutating operations and dies at the chosen one. */
    public static final class Budget implements AutoCloseable {
        private final String id = UUID.randomUUID().toString();
        private final int crashAt;
        private int ops;
        private boolean crashed;

        /** @param crashAt the operation (1-based) that does not happen; 0: never */
        public Budget(int crashAt) {
            this.crashAt = crashAt;
            BUDGETS.put(id, this);
        }

        synchronized void tick(String op, Path p) throws IOException {
            if (crashed) {
                throw new CrashException("dead (after op " + crashAt + "): " + op + " " + p);
            }
            ops++;
            if (ops == crashAt) {
                crashed = true;
                throw new CrashException("crash at op " + ops + ": " + op + " " + p);
            }
        }

        /** Mutating operations counted so far. */
        public synchronized int ops() {
            return ops;
        }

        public synchronized boolean crashed() {
            return crashed;
        }

        @Override
        public void close() {
            BUDGETS.remove(id);
        }
    }

    /** {@code base} with file:// going through a crashing local file system. */
    public static Configuration local(Configuration base, Budget budget) {
        Configuration c = new Configuration(base);
        c.set("fs.file.impl", Local.class.getName());
        c.setBoolean("fs.file.impl.disable.cache", true);
        c.set(ID_KEY, budget.id);
        return c;
    }

    /** {@code base} with hdfs:// going through a crashing HDFS client. */
    public static Configuration hdfs(Configuration base, Budget budget) {
        Configuration c = new Configuration(base);
        c.set("fs.hdfs.impl", Hdfs.class.getName());
        c.setBoolean("fs.hdfs.impl.disable.cache", true);
        c.set(ID_KEY, budget.id);
        return c;
    }

    private static Budget budgetOf(Configuration conf) {
        Budget b = BUDGETS.get(conf.get(ID_KEY, ""));
        if (b == null) {
            throw new IllegalStateException("no crash budget in the configuration");
        }
        return b;
    }

    /** The checksummed local file system over a crashing raw one (what {@code file://} is). */
    public static final class Local extends LocalFileSystem {
        public Local() {
            super(new Raw());
        }
    }

    /** The raw local file system, dying at its budget. */
    public static final class Raw extends RawLocalFileSystem {
        private Budget budget;

        @Override
        public void initialize(URI uri, Configuration conf) throws IOException {
            super.initialize(uri, conf);
            budget = budgetOf(conf);
        }

        @Override
        public FSDataOutputStream create(Path f, boolean overwrite, int bufferSize, short replication, long blockSize,
                                         Progressable progress) throws IOException {
            budget.tick("create", f);
            return super.create(f, overwrite, bufferSize, replication, blockSize, progress);
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
                                         long blockSize, Progressable progress) throws IOException {
            budget.tick("create", f);
            return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        }

        @Override
        public boolean rename(Path src, Path dst) throws IOException {
            budget.tick("rename", src);
            return super.rename(src, dst);
        }

        @Override
        public boolean delete(Path p, boolean recursive) throws IOException {
            budget.tick("delete", p);
            return super.delete(p, recursive);
        }

        @Override
        public boolean mkdirs(Path f, FsPermission permission) throws IOException {
            budget.tick("mkdirs", f);
            return super.mkdirs(f, permission);
        }

        @Override
        public boolean mkdirs(Path f) throws IOException {
            budget.tick("mkdirs", f);
            return super.mkdirs(f);
        }
    }

    /** The HDFS client, dying at its budget. */
    public static final class Hdfs extends DistributedFileSystem {
        private Budget budget;

        @Override
        public void initialize(URI uri, Configuration conf) throws IOException {
            super.initialize(uri, conf);
            budget = budgetOf(conf);
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, boolean overwrite, int bufferSize, short replication,
                                         long blockSize, Progressable progress) throws IOException {
            budget.tick("create", f);
            return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        }

        @Override
        public FSDataOutputStream create(Path f, FsPermission permission, EnumSet<CreateFlag> flags, int bufferSize,
                                         short replication, long blockSize, Progressable progress,
                                         org.apache.hadoop.fs.Options.ChecksumOpt checksumOpt) throws IOException {
            budget.tick("create", f);
            return super.create(f, permission, flags, bufferSize, replication, blockSize, progress, checksumOpt);
        }

        @Override
        public boolean rename(Path src, Path dst) throws IOException {
            budget.tick("rename", src);
            return super.rename(src, dst);
        }

        @Override
        public void rename(Path src, Path dst, Options.Rename... options) throws IOException {
            budget.tick("rename", src);
            super.rename(src, dst, options);
        }

        @Override
        public boolean delete(Path p, boolean recursive) throws IOException {
            budget.tick("delete", p);
            return super.delete(p, recursive);
        }

        @Override
        public boolean mkdirs(Path f, FsPermission permission) throws IOException {
            budget.tick("mkdirs", f);
            return super.mkdirs(f, permission);
        }
    }
}
