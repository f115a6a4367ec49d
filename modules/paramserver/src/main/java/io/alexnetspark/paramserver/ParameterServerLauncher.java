package io.alexnetspark.paramserver;

import org.agrona.concurrent.ShutdownSignalBarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * A standalone parameter server for a dedicated node: {@code alexnet-spark paramserver ...}, or
 * this class's main without the rest of the product. Serves until SIGTERM/SIGINT, then shuts down
 * cleanly and deletes its Aeron directory.
 *
 * <pre>
 * alexnet-spark paramserver --floats 62378344 --workers 4 --quorum 3 --shards 4 --round-timeout-ms 30000 \
 *   --transport udp --host 10.0.0.5 --port 40100 --job-id 42 --secret-file /run/secrets/ps.key
 * </pre>
 *
 * Shards on several hosts: every process gets the same {@code --shard-hosts} (one address per shard)
 * and serves its own with {@code --serve-shards}, e.g. on 10.0.0.6:
 * <pre>
 * alexnet-spark paramserver ... --shards 2 --shard-hosts 10.0.0.5,10.0.0.6 --serve-shards 1 --port 40100 ...
 * </pre>
 *
 * The secret comes from {@code --secret-file} (raw bytes) or the environment variable
 * {@value #SECRET_ENV} (base64), never from the command line, which other users can read.
 */
@Command(name = "paramserver", mixinStandardHelpOptions = true,
        description = {"Run a standalone Aeron parameter server until SIGTERM (for a dedicated node).",
                "The job secret comes from --secret-file or $" + ParameterServerLauncher.SECRET_ENV + " (base64)."})
public final class ParameterServerLauncher implements Callable<Integer> {

    public static final String SECRET_ENV = "ALEXNET_PS_SECRET";
    private static final Logger LOG = LoggerFactory.getLogger(ParameterServerLauncher.class);

    @Option(names = "--floats", required = true, description = "Length of the parameter vector (62378344 for alexnet-single).")
    long floats;

    @Option(names = "--workers", required = true, description = "Workers (replicas) W.")
    int workers;

    @Option(names = "--quorum", description = "Complete pushes that close a round after its time-out (default: W).")
    Integer quorum;

    @Option(names = "--shards", defaultValue = "1", description = "Shards S, each on its own port pair (default: ${DEFAULT-VALUE}).")
    int shards;

    @Option(names = "--round-timeout-ms", defaultValue = "60000", description = "Round time-out (default: ${DEFAULT-VALUE}).")
    long roundTimeoutMs;

    @Option(names = "--transport", defaultValue = "udp", description = "udp or ipc (default: ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (a concrete interface; default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = "--port", description = "First UDP port; shard s uses port + 2s and port + 2s + 1.")
    Integer port;

    @Option(names = "--shard-hosts", split = ",", paramLabel = "HOST",
            description = "UDP: the host of each shard, in shard order (default: every shard on --host).")
    List<String> shardHosts;

    @Option(names = "--serve-shards", split = ",", paramLabel = "SHARD",
            description = "The shards this process serves (default: all); others run elsewhere (see --shard-hosts).")
    List<Integer> serveShards;

    @Option(names = "--mac", defaultValue = "aes-gcm", description = "The job's MAC: aes-gcm or hmac-sha256 (default: ${DEFAULT-VALUE}).")
    String mac;

    @Option(names = "--term-length", description = "Aeron term length in bytes (default: 64 MB).")
    Integer termLength;

    @Option(names = "--chunk-bytes", description = "Payload bytes per message (default: 256 KB).")
    Integer chunkBytes;

    @Option(names = "--aeron-dir", description = "Aeron directory; must not exist, created 0700 (default: a fresh one in "
            + "/dev/shm/alexnet-aeron-<user>, which is 0700).")
    String aeronDir;

    @Option(names = "--job-id", required = true, description = "The job's id; other jobs' messages are dropped.")
    long jobId;

    @Option(names = "--secret-file", description = "File holding the job secret (raw bytes).")
    Path secretFile;

    @Option(names = "--lease-ms", defaultValue = "600000",
            description = "UDP: how long the run being served may be silent before another job may claim the server "
                    + "(default: ${DEFAULT-VALUE}).")
    long leaseMs;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ParameterServerLauncher()).execute(args));
    }

    @Override
    public Integer call() {
        ServerConfig config = config(System.getenv());
        // log4j stops logging from a shutdown hook of its own, which races ours on SIGTERM: the last
        // lines (shutting down, stopped) were lost. Its hook is removed; logging is stopped below,
        // after the server closed.
        boolean ownLogging = Log4j.removeShutdownHook();
        try {
            // Agrona 2's barrier holds the JVM's shutdown hook until the barrier is closed: close the
            // server first, then stop logging, then the barrier, so the Aeron directory is gone and
            // every line is written before the JVM exits.
            try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier()) {
                if (config.job().channel().transport() == Channel.Transport.UDP) {
                    serveRuns(config, barrier);
                } else {
                    // IPC: one host, one user; the server serves its job id directly (no lobby).
                    try (ParameterServer server = new ParameterServer(config, stats -> LOG.info("{}", stats))) {
                        server.start();
                        LOG.info("serving until SIGTERM");
                        Thread dropWatch = startWatch(() -> server, server.drops(), barrier);
                        barrier.await();
                        dropWatch.interrupt();
                        stopped(server);
                    }
                }
                LOG.info("stopped: shards closed, Aeron directory {} deleted", config.aeron().aeronDir());
                if (ownLogging) {
                    Log4j.stop();
                }
            }
        } finally {
            if (ownLogging) {
                Log4j.stop(); // no-op if already stopped; on a failed start, flushes what was logged
            }
        }
        return exitCode;
    }

    private int exitCode;

    /**
     * UDP: one media driver for the process, a lobby taking claims, and a server per claimed run
     * (see {@link ServerLobby}), until SIGTERM or a failed shard.
     */
    private void serveRuns(ServerConfig config, ShutdownSignalBarrier barrier) {
        String dir = config.aeron().aeronDir();
        try (io.aeron.driver.MediaDriver driver = AeronConnection.launchDriver(dir);
             AeronConnection client = AeronConnection.open(AeronSetup.external(dir))) {
            ServerConfig base = new ServerConfig(config.job(), config.quorum(), config.roundTimeout(), AeronSetup.external(dir),
                config.servedShards());
            try (ServerLobby lobby = new ServerLobby(base, client.aeron(), Duration.ofMillis(leaseMs),
                    run -> new ParameterServer(run, stats -> LOG.info("{}", stats)).start())) {
                LOG.info("serving until SIGTERM");
                Thread watch = startWatch(lobby::current, lobby.drops(), barrier);
                barrier.await();
                watch.interrupt();
                stopped(lobby.current());
            }
        }
    }

    private void stopped(ParameterServer server) {
        if (server != null && server.failure() != null) {
            LOG.error("stopping: {}", server.failure().getMessage());
            exitCode = 1;
        } else {
            LOG.info("shutting down");
        }
    }

    /**
     * Logs the rejected messages by reason whenever their count changed (every 5 s at most): an
     * operator sees a job with the wrong secret, or an attack, without waiting for a round to close.
     * A shard that stopped stops the server (exit 1): a server without one of its shards would
     * leave every job waiting for rounds it can no longer close.
     */
    private static Thread startWatch(java.util.function.Supplier<ParameterServer> serving, DropCounters lobbyDrops,
                                     ShutdownSignalBarrier barrier) {
        Thread watch = new Thread(() -> {
            long seen = 0;
            long lastLog = 0;
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(200);
                    ParameterServer server = serving.get();
                    if (server != null && server.failure() != null) {
                        barrier.signalAll();
                        return;
                    }
                    // IPC: the server's own counters; UDP: the lobby's, and those of the run being served.
                    DropCounters run = server != null && server.drops() != lobbyDrops ? server.drops() : null;
                    long total = lobbyDrops.total() + (run != null ? run.total() : 0);
                    long now = System.nanoTime();
                    if (total != seen && now - lastLog >= 5_000_000_000L) {
                        seen = total;
                        lastLog = now;
                        LOG.warn("rejected messages so far: {}{}", (server != null && run == null ? "" : "at the lobby ") + lobbyDrops,
                            run != null ? "; in the run " + run : "");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "paramserver-drop-watch");
        watch.setDaemon(true);
        watch.start();
        return watch;
    }

    /**
     * log4j 2 (the product's logging backend) through reflection: this module only depends on
     * SLF4J, and with any other backend these are no-ops.
     */
    static final class Log4j {

        private Log4j() {
        }

        /** Removes log4j's JVM shutdown hook; true if log4j-core is the backend and its hook is gone. */
        static boolean removeShutdownHook() {
            try {
                Object factory = Class.forName("org.apache.logging.log4j.LogManager").getMethod("getFactory").invoke(null);
                Class<?> core = Class.forName("org.apache.logging.log4j.core.impl.Log4jContextFactory");
                if (!core.isInstance(factory)) {
                    return false;
                }
                Object registry = core.getMethod("getShutdownCallbackRegistry").invoke(factory);
                // DefaultShutdownCallbackRegistry.stop() removes the JVM hook (and runs nothing).
                registry.getClass().getMethod("stop").invoke(registry);
                return true;
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                return false;
            }
        }

        /** Stops log4j (flushes and closes the appenders), as its removed hook would have. */
        static void stop() {
            try {
                Class.forName("org.apache.logging.log4j.LogManager").getMethod("shutdown").invoke(null);
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // nothing to stop
            }
        }
    }

    /** Parses {@code --name value} options into a configuration (embedded driver); for tests and embedding. */
    static ServerConfig parse(String[] args, Map<String, String> env) {
        ParameterServerLauncher launcher = new ParameterServerLauncher();
        try {
            new CommandLine(launcher).parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return launcher.config(env);
    }

    ServerConfig config(Map<String, String> env) {
        int term = termLength == null ? Channel.DEFAULT_TERM_LENGTH : termLength;
        Channel channel = switch (transport) {
            case "ipc" -> Channel.ipc().withTermLength(term);
            case "udp" -> {
                if (port == null) {
                    throw new IllegalArgumentException("missing --port (required for udp)");
                }
                yield Channel.udp(host, port).withTermLength(term);
            }
            default -> throw new IllegalArgumentException("--transport must be udp or ipc, got " + transport);
        };
        if (shardHosts != null) {
            channel = channel.withShardHosts(shardHosts); // the channel refuses them for IPC
        }
        JobSpec job = new JobSpec(jobId, secret(env), floats, workers, shards,
                chunkBytes == null ? JobSpec.DEFAULT_CHUNK_BYTES : chunkBytes, channel, MacAlgorithm.parse(mac));
        if (aeronDir != null) {
            AeronDirs.requireAbsent(Path.of(aeronDir).toAbsolutePath());
        }
        AeronSetup aeron = aeronDir != null ? AeronSetup.embedded(aeronDir) : AeronSetup.embeddedFresh();
        return new ServerConfig(job, quorum == null ? workers : quorum, Duration.ofMillis(roundTimeoutMs), aeron,
                serveShards == null ? List.of() : serveShards);
    }

    private byte[] secret(Map<String, String> env) {
        if (secretFile != null) {
            return SecretFiles.read(secretFile);
        }
        String b64 = env.get(SECRET_ENV);
        if (b64 == null) {
            throw new IllegalArgumentException("give the job secret with --secret-file or $" + SECRET_ENV + " (base64)");
        }
        return Base64.getDecoder().decode(b64.trim());
    }
}
