package io.alexnetspark.doctor;

import io.alexnetspark.paramserver.AeronConnection;
import io.alexnetspark.paramserver.AeronDirs;
import io.alexnetspark.paramserver.Channel;
import io.alexnetspark.paramserver.ParameterClient;
import io.alexnetspark.paramserver.ParameterServer;
import io.alexnetspark.train.TrainSettings;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Free space where this host's Aeron media drivers keep their term buffers ({@code /dev/shm}),
 * against what the job's parameter-server streams will take there. The buffers are sparse files: a
 * page touched when the file system is full kills the JVM with SIGBUS in the middle of a run, which
 * the drivers' own start-up check ({@code AeronConnection}) turns into an error; this says so before
 * the run, for every host.
 */
public final class SharedMemoryCheck {

    /** Which process of the job a host runs. */
    public enum Role { DRIVER, EXECUTOR }

    /** What was found on one host. */
    public record Result(String folder, long freeBytes, long neededBytes) implements Serializable {
        public boolean ok() {
            return freeBytes < 0 || freeBytes >= neededBytes;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%s: %d MB free, %d MB needed for the Aeron term buffers%s",
                folder, freeBytes >> 20, neededBytes >> 20, ok() ? "" : ": NOT ENOUGH");
        }
    }

    private SharedMemoryCheck() {
    }

    /**
     * The term buffers a host of {@code role} maps for this job, with the driver's own files: the
     * parameter server's shards it serves and the replica's client, as each sizes them at start.
     */
    public static long neededBytes(TrainSettings ts, Role role) {
        int n = ts.replicas();
        int term = Channel.DEFAULT_TERM_LENGTH;
        long logBytes = switch (ts.placement()) {
            case DRIVER -> role == Role.DRIVER ? ParameterServer.termBufferBytes(ts.shards(), n, term)
                : ParameterClient.termBufferBytes(ts.shards(), term);
            case EXECUTORS -> role == Role.DRIVER ? 0
                : ParameterServer.termBufferBytes(1, n, term) + ParameterClient.termBufferBytes(n, term);
            case EXTERNAL -> role == Role.DRIVER ? 0 : ParameterClient.termBufferBytes(ts.shards(), term);
        };
        return logBytes == 0 ? 0 : AeronConnection.requiredSpace(logBytes);
    }

    /** This host's free space in the drivers' root against {@link #neededBytes}; -1 free when it cannot tell. */
    public static Result check(TrainSettings ts, Role role) {
        return check(neededBytes(ts, role));
    }

    /** This host's free space in the drivers' root against {@code needed} bytes. */
    public static Result check(long needed) {
        Path root = AeronDirs.privateRoot();
        long free;
        try {
            free = Files.getFileStore(root).getUsableSpace();
        } catch (IOException e) {
            free = -1;
        }
        return new Result(root.toString(), free, needed);
    }
}
