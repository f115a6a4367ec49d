package io.alexnetspark.paramserver;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.agrona.concurrent.ShutdownSignalBarrier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a standalone parameter server until SIGTERM or SIGINT, then shuts down cleanly (the
 * embedded driver deletes its Aeron directory). The trainer's {@code paramserver} subcommand wraps
 * this.
 *
 * <pre>
 * java @conf/jvm.options -cp ... io.alexnetspark.paramserver.ParameterServerLauncher \
 *   --floats 62378344 --workers 4 --quorum 3 --shards 4 --round-timeout-ms 30000 \
 *   --transport udp --host 10.0.0.5 --port 40100 --job-id 42 --secret-file /run/secrets/ps.key
 * </pre>
 *
 * The secret comes from {@code --secret-file} (raw bytes) or the environment variable
 * {@value #SECRET_ENV} (base64), never from the command line, which other users can read.
 */
public final class ParameterServerLauncher {

    public static final String SECRET_ENV = "ALEXNET_PS_SECRET";
    private static final Logger LOG = LoggerFactory.getLogger(ParameterServerLauncher.class);
    private static final Set<String> OPTIONS = Set.of("--floats", "--workers", "--quorum", "--shards", "--round-timeout-ms",
        "--transport", "--host", "--port", "--term-length", "--chunk-bytes", "--aeron-dir", "--job-id", "--secret-file");

    private ParameterServerLauncher() {
    }

    public static void main(String[] args) {
        ServerConfig config;
        try {
            config = parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            usage(System.err, e.getMessage());
            System.exit(2);
            return;
        }
        // Agrona 2's barrier holds the JVM's shutdown hook until the barrier is closed: close the
        // server first (declared last), then the barrier, so the Aeron directory is gone before exit.
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
             ParameterServer server = new ParameterServer(config, stats -> LOG.info("{}", stats))) {
            server.start();
            LOG.info("serving until SIGTERM");
            barrier.await();
            LOG.info("shutting down");
        }
    }

    /** Parses {@code --name value} pairs into a configuration (embedded driver). */
    static ServerConfig parse(String[] args, Map<String, String> env) {
        Map<String, String> o = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!OPTIONS.contains(name)) {
                throw new IllegalArgumentException("unknown option " + name);
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + name);
            }
            o.put(name, args[++i]);
        }
        long floats = Long.parseLong(required(o, "--floats"));
        int workers = Integer.parseInt(required(o, "--workers"));
        int quorum = Integer.parseInt(o.getOrDefault("--quorum", String.valueOf(workers)));
        int shards = Integer.parseInt(o.getOrDefault("--shards", "1"));
        Duration timeout = Duration.ofMillis(Long.parseLong(o.getOrDefault("--round-timeout-ms", "60000")));
        int termLength = Integer.parseInt(o.getOrDefault("--term-length", String.valueOf(Channel.DEFAULT_TERM_LENGTH)));
        String transport = o.getOrDefault("--transport", "udp");
        Channel channel = switch (transport) {
            case "ipc" -> Channel.ipc().withTermLength(termLength);
            case "udp" -> Channel.udp(o.getOrDefault("--host", "127.0.0.1"), Integer.parseInt(required(o, "--port")))
                .withTermLength(termLength);
            default -> throw new IllegalArgumentException("--transport must be udp or ipc, got " + transport);
        };
        int chunkBytes = Integer.parseInt(o.getOrDefault("--chunk-bytes", String.valueOf(JobSpec.DEFAULT_CHUNK_BYTES)));
        long jobId = Long.parseLong(required(o, "--job-id"));
        JobSpec job = new JobSpec(jobId, secret(o.get("--secret-file"), env), floats, workers, shards, chunkBytes, channel);
        AeronSetup aeron = o.containsKey("--aeron-dir") ? AeronSetup.embedded(o.get("--aeron-dir")) : AeronSetup.embeddedFresh();
        return new ServerConfig(job, quorum, timeout, aeron);
    }

    private static byte[] secret(String file, Map<String, String> env) {
        if (file != null) {
            try {
                return Files.readAllBytes(Path.of(file));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read the secret file " + file + ": " + e.getMessage());
            }
        }
        String b64 = env.get(SECRET_ENV);
        if (b64 == null) {
            throw new IllegalArgumentException("give the job secret with --secret-file or $" + SECRET_ENV + " (base64)");
        }
        return Base64.getDecoder().decode(b64.trim());
    }

    private static String required(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing " + name);
        }
        return v;
    }

    private static void usage(PrintStream out, String error) {
        out.println("error: " + error);
        out.println("usage: ParameterServerLauncher --floats N --workers W [--quorum Q] [--shards S] [--round-timeout-ms T]");
        out.println("       [--transport udp|ipc] [--host ADDR] --port P [--term-length BYTES] [--chunk-bytes BYTES]");
        out.println("       [--aeron-dir DIR] --job-id ID (--secret-file FILE | $" + SECRET_ENV + ")");
    }
}
