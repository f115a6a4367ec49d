package io.alexnetspark.train.aeron;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterServer;
import io.alexnetspark.train.EpochTrainer;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * The default sync mode, {@code aeron-averaging}: one Spark barrier stage per epoch, one replica
 * per task, parameters averaged every {@code tau} mini-batches through our Aeron parameter server.
 * The server (started by the caller, usually in the driver) holds the latest average between
 * epochs and is where the driver's network reads the epoch's result from.
 *
 * <p>Without a server in the driver the driver broadcasts the epoch's starting parameters and
 * replica 0 hands the epoch's last average back; the driver's copy is what a retried stage restarts
 * from. Either every replica serves one shard of the vector itself, for the length of the epoch's
 * stage, seeded with the start ({@code paramserver.placement = executors}), or the shards run on a
 * dedicated node ({@code external}) and the replicas seed them with one round of identical pushes.
 */
public final class AeronAveragingTrainer implements EpochTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(AeronAveragingTrainer.class);

    private final JavaSparkContext sc;
    private final ComputationGraph network;
    private final ParameterServer server;
    private final JobSpec job;
    private final String serverAeronDir;
    private final List<ShardSource> shards;
    private final PipelineSettings pipeline;
    private final List<String> classNames;
    private final int replicas;
    private final int tau;
    private final long seed;
    private final Duration awaitTimeout;
    private final boolean averageMomentum;
    private final RoundProgress progress;
    private final ByteBuffer params;
    private final ShardsOutsideDriver outside;
    /** The latest complete round: the server's, or (shards in the executors) the last epoch's. */
    private long latestRound;
    private List<ReplicaResult> lastResults = List.of();

    /**
     * @param network        the driver's network; its parameters are published as round 0 unless the
     *                       server already holds an average
     * @param server         the started parameter server for {@code job}, or null when it is not in the driver
     * @param outside        where the shards are when {@code server} is null (else null)
     * @param serverAeronDir the server's Aeron directory when replicas share the driver's JVM (IPC), else null
     * @param shards         the training shards (dealt to the replicas anew every epoch)
     */
    public AeronAveragingTrainer(JavaSparkContext sc, ComputationGraph network, ParameterServer server, JobSpec job,
                                 String serverAeronDir, List<ShardSource> shards, PipelineSettings pipeline,
                                 List<String> classNames, int tau, long seed, Duration awaitTimeout,
                                 boolean averageMomentum, RoundProgress progress, ShardsOutsideDriver outside) {
        this.sc = sc;
        this.network = network;
        this.server = server;
        this.job = job;
        this.serverAeronDir = serverAeronDir;
        this.shards = List.copyOf(shards);
        this.pipeline = pipeline;
        this.classNames = List.copyOf(classNames);
        this.replicas = job.workers();
        this.tau = tau;
        this.seed = seed;
        this.awaitTimeout = awaitTimeout;
        this.averageMomentum = averageMomentum;
        this.progress = progress;
        this.params = network.params().data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        this.outside = outside;
        if ((server == null) == (outside == null)) {
            throw new IllegalArgumentException("give either the driver's server or where the shards are, not both or neither");
        }
        if (server == null) {
            if (outside.inExecutors() && job.shards() != job.workers()) {
                throw new IllegalArgumentException("shards in the executors: one per replica, got " + job.shards()
                        + " shards for " + job.workers() + " replicas");
            }
            latestRound = outside.latestRound();
        } else {
            if (server.latestRound() < 0) {
                server.publishInitial(0, params);
            }
            latestRound = server.latestRound();
        }
    }

    @Override
    public ComputationGraph network() {
        return network;
    }

    @Override
    public EpochStats trainEpoch(int epoch, double learningRate) {
        List<List<ShardSource>> groups = io.alexnetspark.train.ShardDeal.deal(shards, replicas, seed, epoch);
        long fewest = Long.MAX_VALUE;
        for (List<ShardSource> g : groups) {
            fewest = Math.min(fewest, g.stream().mapToLong(s -> s.info().images()).sum());
        }
        int rounds = (int) (fewest / pipeline.batchSize() / tau);
        if (rounds < 1) {
            throw new IllegalStateException(String.format("a replica gets only %d images this epoch: fewer than tau (%d) "
                    + "mini-batches of %d; use smaller shards, fewer replicas or a smaller tau", fewest, tau,
                    pipeline.batchSize()));
        }
        // The driver's momentum (the replicas' average from the last epoch, or a resumed checkpoint's)
        // goes out to every replica, so that momentum carries across epochs as in one long run.
        INDArray driverMomentum = averageMomentum ? ReplicaTask.momentumState(network) : null;
        Broadcast<float[]> momentum = driverMomentum != null && driverMomentum.sumNumber().doubleValue() != 0
                ? sc.broadcast(driverMomentum.toFloatVector()) : null;
        Broadcast<float[]> startParams = server == null ? sc.broadcast(network.params().toFloatVector()) : null;
        ReplicaPlan plan = new ReplicaPlan(network.getConfiguration().toJson(), job, serverAeronDir, tau, rounds,
                latestRound, epoch, learningRate, pipeline, classNames, awaitTimeout, momentum,
                driverMomentum != null, startParams == null ? null : new ReplicaPlan.ExecutorShards(startParams, outside.inExecutors(),
                        outside.quorum(), outside.roundTimeout()));
        sc.setJobDescription(String.format("epoch %d: %d replicas x %d rounds of %d mini-batches (aeron-averaging)",
                epoch + 1, replicas, rounds, tau));
        progress.startEpoch(epoch, latestRound, rounds + (driverMomentum != null ? 1 : 0),
                (long) replicas * tau * pipeline.batchSize());
        long start = System.nanoTime();
        List<ReplicaResult> results = BarrierStage.mapPartitions(sc.parallelize(groups, replicas), new ReplicaTask(plan)).collect();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (server != null) {
            server.latestAverage(params, awaitTimeout);
            latestRound = server.latestRound();
        } else {
            ReplicaResult first = results.stream().filter(r -> r.params() != null).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no replica returned the epoch's average"));
            params.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(first.params());
            latestRound = first.lastRound();
            startParams.destroy();
        }
        if (momentum != null) {
            momentum.destroy();
        }
        results.stream().map(ReplicaResult::momentum).filter(java.util.Objects::nonNull).findFirst()
                .ifPresent(m -> driverMomentum.assign(Nd4j.create(m)));
        lastResults = List.copyOf(results);
        checkInStep(epoch, results);
        LOG.info("epoch {}: {}", epoch + 1, progress.epochSummary());

        long images = results.stream().mapToLong(ReplicaResult::images).sum();
        double loss = results.stream().mapToDouble(ReplicaResult::meanLoss).average().orElse(Double.NaN);
        double averaging = results.stream().mapToDouble(ReplicaResult::averagingSeconds).average().orElse(0);
        return new EpochStats(loss, images, seconds, averaging, replicas, replicas * pipeline.batchSize());
    }

    /**
     * Every replica must end the epoch holding the server's last average, bit for bit: a replica
     * that trained on without it would silently drift. Logged, with where each replica ran.
     */
    private void checkInStep(int epoch, List<ReplicaResult> results) {
        CRC32 crc = new CRC32();
        crc.update(params.duplicate().clear());
        long average = crc.getValue();
        for (ReplicaResult r : results) {
            LOG.info("epoch {}: replica {} on {}{}: {} images, loss {}, train {} s, averaging {} s", epoch + 1, r.worker(),
                    r.host(), r.gpu() >= 0 ? " (GPU " + r.gpu() + ")" : "", r.images(),
                    String.format(Locale.ROOT, "%.4f", r.meanLoss()), String.format(Locale.ROOT, "%.1f", r.trainSeconds()),
                    String.format(Locale.ROOT, "%.1f", r.averagingSeconds()));
        }
        if (results.stream().allMatch(r -> r.paramsCrc() == average)) {
            LOG.info("epoch {}: replicas in step: all {} hold the {} average (CRC32 {})", epoch + 1, results.size(),
                    server != null ? "server's" : "shards'",
                    Long.toHexString(average));
        } else {
            LOG.warn("epoch {}: replicas OUT OF STEP: server average CRC32 {}, replicas {}", epoch + 1,
                    Long.toHexString(average), results.stream().map(r -> r.worker() + "=" + Long.toHexString(r.paramsCrc()))
                            .toList());
        }
    }

    /**
     * Where the shards are when the driver runs no server.
     *
     * @param inExecutors  each replica serves the shard of its partition (S = N); else they run on a
     *                     dedicated node, started for this job
     * @param quorum       the executors' shards' quorum
     * @param roundTimeout the executors' shards' round time-out
     * @param latestRound  the latest complete round the shards hold (0 for the executors' own; an
     *                     external server's, -1 if it has none)
     */
    public record ShardsOutsideDriver(boolean inExecutors, int quorum, Duration roundTimeout, long latestRound) {
    }

    /** What each replica reported in the last epoch. */
    public List<ReplicaResult> lastResults() {
        return lastResults;
    }

}
