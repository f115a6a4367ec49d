package io.alexnetspark.paramserver;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parameter server: S shards, each averaging one contiguous byte range of the parameter
 * vector over the W workers, each on its own thread.
 *
 * <p>Rounds: the open round is the latest complete one + 1 (round 0 if nothing was seeded). A
 * shard closes its round when all W workers pushed all their chunks of it, or, once the round
 * time-out (counted from the shard's first push) has passed, as soon as Q workers have. Then it
 * sends the average to every subscribed worker, including those that did not push. Shards close
 * independently; with all workers healthy they close on the same pushes.
 *
 * <pre>{@code
 * try (ParameterServer server = new ParameterServer(config, stats -> log.info("{}", stats))) {
 *     server.start();
 *     server.publishInitial(0, initialParams);
 *     ...
 * }
 * }</pre>
 */
public final class ParameterServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ParameterServer.class);

    private final ServerConfig config;
    private final ShardLayout layout;
    private final Consumer<ShardRoundStats> statsListener;
    private final DropCounters drops = new DropCounters();
    private final List<ShardServer> shards = new ArrayList<>();
    private final List<AgentRunner> runners = new ArrayList<>();
    private AeronConnection connection;
    private volatile ParameterServerException failure;
    /** Random per start: what a ROUND_INFO carries so that a restarted server is told apart. */
    private final long incarnation = new java.security.SecureRandom().nextLong();

    /**
     * @param config        the configuration
     * @param statsListener called on a shard thread after each round's average is sent (keep it
     *                      cheap); may be null
     */
    public ParameterServer(ServerConfig config, Consumer<ShardRoundStats> statsListener) {
        this.config = config;
        this.layout = config.job().layout();
        this.statsListener = statsListener;
    }

    /**
     * The term buffers a server of {@code servedShards} shards maps for {@code workers} workers: per
     * shard, a push image from every worker and the driver, and an averages stream to each.
     */
    public static long termBufferBytes(int servedShards, int workers, int termLength) {
        return AeronConnection.logBytes(servedShards * 2 * (workers + 1), termLength);
    }

    /** Starts the driver (if embedded), the streams and one thread per shard. */
    public synchronized ParameterServer start() {
        if (connection != null) {
            throw new IllegalStateException("already started");
        }
        JobSpec job = config.job();
        // Per served shard: a push image from every worker (and the driver) and an averages stream to each.
        int served = 0;
        for (int s = 0; s < layout.shards(); s++) {
            served += config.serves(s) ? 1 : 0;
        }
        connection = AeronConnection.open(config.aeron(), termBufferBytes(served, job.workers(), job.channel().termLength()));
        try {
            Aeron aeron = connection.aeron();
            Channel channel = job.channel();
            for (int s = 0; s < layout.shards(); s++) {
                if (!config.serves(s)) {
                    continue; // another process serves it
                }
                // Sessions that go away free their reassembly state (the shard exists once the subscription does).
                java.util.concurrent.atomic.AtomicReference<ShardServer> owner = new java.util.concurrent.atomic.AtomicReference<>();
                Subscription sub = aeron.addSubscription(channel.serverPushChannel(s), channel.pushStreamId(s), null, image -> {
                    ShardServer shard = owner.get();
                    if (shard != null) {
                        shard.reassembler().onUnavailableImage(image);
                    }
                });
                // IPC: one averages stream every local worker reads. UDP: one per worker, opened when it says HELLO.
                Publication pub = channel.transport() == Channel.Transport.IPC
                    ? aeron.addPublication(channel.serverAverageChannel(s), channel.averageStreamId(s)) : null;
                if (pub != null && MessageHeader.LENGTH + layout.maxChunkBytes() > pub.maxMessageLength()) {
                    throw new IllegalArgumentException("chunk of " + layout.maxChunkBytes() + " bytes exceeds the max message length "
                        + pub.maxMessageLength());
                }
                ShardServer shard = new ShardServer(s, config, aeron, sub, pub, drops, statsListener, incarnation);
                owner.set(shard);
                shards.add(shard);
            }
            for (ShardServer shard : shards) {
                // Default: spin briefly, then park up to 100 us: responsive under load, near idle between
                // rounds (busy spinning would starve the driver and the trainer on a 2-core machine).
                AgentRunner runner = new AgentRunner(IdleStrategies.fromProperty(IdleStrategies.SHARD_PROPERTY),
                    t -> onShardFailure(shard, t), null, new FailFastAgent(shard));
                AgentRunner.startOnThread(runner);
                runners.add(runner);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        LOG.info("parameter server started: shards {} of {}, {} workers, quorum {}, round time-out {}, {}",
            config.servedShards().isEmpty() ? "all" : config.servedShards(), layout.shards(),
            job.workers(), config.quorum(), config.roundTimeout(), job.channel());
        return this;
    }

    /**
     * Seeds the latest average with {@code params} as round {@code round}; the next open round is
     * {@code round + 1}. Each shard this server runs takes its own byte range of {@code params}.
     * Meant for before the workers start (initial parameters, or a checkpoint): pushes already
     * collected for the open round are discarded.
     *
     * @param params direct buffer of the whole vector's float32 (little-endian) from its position
     */
    public void publishInitial(long round, ByteBuffer params) {
        if (round < 0) {
            throw new IllegalArgumentException("round must be >= 0");
        }
        UnsafeBuffer src = wrap(params);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (ShardServer shard : started()) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            shard.submit(() -> {
                try {
                    shard.seed(round, src, 0);
                    f.complete(null);
                } catch (RuntimeException e) {
                    f.completeExceptionally(e);
                }
            });
            done.add(f);
        }
        for (CompletableFuture<Void> f : done) {
            try {
                f.get(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParameterServerException("interrupted while seeding", e);
            } catch (ExecutionException | TimeoutException e) {
                throw new ParameterServerException("seeding round " + round + " failed", e);
            }
        }
    }

    /** The latest round every shard of this server has completed (-1 if none). */
    public long latestRound() {
        long min = Long.MAX_VALUE;
        for (ShardServer shard : started()) {
            min = Math.min(min, shard.latestRound());
        }
        return min;
    }

    /**
     * Copies the latest complete average of this server's shards into their byte ranges of
     * {@code dst} (from its position; the other ranges are left as they are) once those shards
     * agree on its round, and returns that round (-1: nothing yet, {@code dst} untouched).
     *
     * @throws ParameterServerException if the shards do not agree within {@code wait}
     */
    public long latestAverage(ByteBuffer dst, Duration wait) {
        UnsafeBuffer out = wrap(dst);
        long deadline = System.nanoTime() + wait.toNanos();
        List<ShardServer> all = started();
        while (true) {
            all.forEach(ShardServer::lock);
            try {
                long round = all.get(0).latestRound();
                boolean agree = all.stream().allMatch(s -> s.latestRound() == round);
                if (agree) {
                    if (round >= 0) {
                        all.forEach(s -> s.copyLatest(out));
                    }
                    return round;
                }
            } finally {
                all.forEach(ShardServer::unlock);
            }
            if (System.nanoTime() > deadline) {
                throw new ParameterServerException("shards did not agree on a latest round within " + wait);
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ParameterServerException("interrupted", e);
            }
        }
    }

    /** Payload bytes pushed for the open round so far, over this server's shards. */
    public long openRoundBytes() {
        return started().stream().mapToLong(ShardServer::openRoundBytes).sum();
    }

    /**
     * Why a shard of this server stopped (its thread threw, e.g. an OutOfMemoryError, or a stats
     * listener failed), or null while every shard runs. A server with a dead shard serves nothing
     * useful: callers check this and stop (the launcher exits 1, the trainer starts a new incarnation).
     */
    public ParameterServerException failure() {
        return failure;
    }

    /** Throws {@link #failure()} if a shard has stopped. */
    public void checkHealthy() {
        ParameterServerException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** Full-average answers the shards started (PULL answers and straggler resends), for tests and monitoring. */
    public long fullAnswers() {
        return started().stream().mapToLong(ShardServer::fullAnswers).sum();
    }

    /** When a shard of this server last took an authentic message ({@link System#nanoTime()}). */
    public long lastActivityNanos() {
        return started().stream().mapToLong(ShardServer::lastAcceptNs).max().orElse(0);
    }

    /** Aeron sessions the shards keep reassembly state for now. */
    public int inboundSessions() {
        return started().stream().mapToInt(s -> s.reassembler().sessions()).sum();
    }

    /** Bytes the shards hold in reassembly buffers now (at most one largest message per session). */
    public long reassemblyBytes() {
        return started().stream().mapToLong(s -> s.reassembler().retainedBytes()).sum();
    }

    /** Aeron images (UDP sessions) the shards rejected for sending unauthenticated messages, or too many sessions. */
    public long rejectedSessions() {
        return started().stream().mapToLong(s -> s.reassembler().rejectedImages()).sum();
    }

    /** This server's incarnation: random per instance, reported to round queries. */
    public long incarnation() {
        return incarnation;
    }

    /** Rejected messages by reason, over all shards. */
    public DropCounters drops() {
        return drops;
    }

    public ShardLayout layout() {
        return layout;
    }

    private void onShardFailure(ShardServer shard, Throwable t) {
        if (t instanceof org.agrona.concurrent.AgentTerminationException && t.getCause() != null) {
            t = t.getCause();
        }
        if (failure == null) {
            failure = new ParameterServerException(shard.roleName() + " stopped: " + t, t);
        }
        LOG.error("parameter server {} stopped; the server can no longer close rounds and must be restarted", shard.roleName(), t);
    }

    /**
     * A shard as the agent its runner drives: whatever its duty cycle throws ends it (Agrona's runner
     * would go on calling a broken agent after an exception, logging each time), reported once
     * through {@link #onShardFailure}.
     */
    private record FailFastAgent(ShardServer shard) implements org.agrona.concurrent.Agent {
        @Override
        public int doWork() {
            try {
                return shard.doWork();
            } catch (org.agrona.concurrent.AgentTerminationException e) {
                throw e;
            } catch (Throwable t) {
                throw new org.agrona.concurrent.AgentTerminationException(t);
            }
        }

        @Override
        public void onClose() {
            shard.onClose();
        }

        @Override
        public String roleName() {
            return shard.roleName();
        }
    }

    /** Stops the shard threads, then the Aeron client and the embedded driver (deleting its directory). */
    @Override
    public synchronized void close() {
        CloseHelper.closeAll(runners);
        runners.clear();
        CloseHelper.close(connection);
        connection = null;
    }

    private synchronized List<ShardServer> started() {
        if (connection == null || shards.isEmpty()) {
            throw new IllegalStateException("server not started");
        }
        return shards;
    }

    private UnsafeBuffer wrap(ByteBuffer buffer) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("a direct ByteBuffer is required");
        }
        if (buffer.remaining() < layout.bytes()) {
            throw new IllegalArgumentException("buffer holds " + buffer.remaining() + " bytes, the vector needs " + layout.bytes());
        }
        return new UnsafeBuffer(buffer, buffer.position(), (int) layout.bytes());
    }
}
