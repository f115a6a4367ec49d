package io.alexnetspark.train.aeron;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterServer;
import io.alexnetspark.paramserver.ServerConfig;
import io.alexnetspark.paramserver.ServerBusyException;
import io.alexnetspark.paramserver.ServerRound;
import io.alexnetspark.train.EpochAttempt;
import io.alexnetspark.train.EpochTrainer;
import io.alexnetspark.train.RecoverySettings;
import io.alexnetspark.train.ShardDeal;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * The default sync mode, {@code aeron-averaging}: one Spark barrier stage per epoch, one replica
 * per task, parameters averaged every {@code tau} mini-batches through our Aeron parameter server.
 *
 * <p>Epoch attempts belong to the driver: Spark never retries a failed barrier result stage, so
 * a lost executor, a failed task or a time-out fails the attempt, and this class waits for the
 * cluster to offer task slots again and runs the epoch again, a bounded number of times
 * ({@link RecoverySettings}). With the server in the driver a retry resumes from the last round the
 * server closed, skipping the mini-batches already in that average; with the shards in the
 * executors (they died with the stage) it restarts the epoch from the driver's copy. Either way
 * every image of the epoch is in the model once. When fewer slots than {@code job.replicas} come
 * back within the wait, the epoch goes on with fewer replicas (at least {@code job.min-replicas}),
 * the shards dealt over them; the next epoch grows back when the slots return.
 */
public final class AeronAveragingTrainer implements EpochTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(AeronAveragingTrainer.class);
    /** How long a later epoch waits for missing slots before starting with fewer replicas. */
    private static final Duration GROW_BACK_WAIT = Duration.ofSeconds(3);
    /** How long the driver waits for a failed attempt's killed tasks to end before the next attempt. */
    private static final Duration TASKS_END_WAIT = Duration.ofMinutes(1);

    /** The epoch's input. */
    public record Input(List<ShardSource> shards, PipelineSettings pipeline, List<String> classNames, long seed) {
        public Input {
            shards = List.copyOf(shards);
            classNames = List.copyOf(classNames);
        }
    }

    /**
     * How replicas average.
     *
     * @param tau             local mini-batches between two averages
     * @param awaitTimeout    how long a replica waits for an average
     * @param averageMomentum also average the momentum once per epoch (only with a quorum of all replicas)
     */
    public record Averaging(int tau, Duration awaitTimeout, boolean averageMomentum) {
    }

    private final JavaSparkContext sc;
    private final ComputationGraph network;
    private final ServerPlacement placement;
    private final Input input;
    private final Averaging averaging;
    private final RecoverySettings recovery;
    private final RoundProgress progress;
    private final SparkSlots slots;
    private final int replicas;
    private final String aeronRoot;
    /**
     * This job run's id on a dedicated server ({@code placement = external}): the server serves one
     * run at a time, and its keys follow the run id, so nothing of another run is taken.
     */
    private final long externalRun = new java.security.SecureRandom().nextLong();
    private final ByteBuffer params;
    /** The server of the driver placement, between epochs; null before the first and for other placements. */
    private DriverServer driverServer;
    /** The latest complete round: the server's, or (shards in the executors) the last epoch's. */
    private long latestRound;
    private int failedAttempts;
    /** Whether a driver server was seeded yet: the first seed is round 0, every later one takes the next number. */
    private boolean seeded;
    private int checkpointEvery;
    private RoundCheckpoints roundCheckpoints;
    /** Rounds of the next epoch a round-level checkpoint holds already, and the replicas that trained them. */
    private int baseKept;
    private int baseReplicas;
    /** The external server's incarnation as last seen (null before the first look). */
    private Long serverIncarnation;
    private boolean firstEpoch = true;
    private List<ReplicaResult> lastResults = List.of();

    /**
     * @param network  the driver's network: the parameters every epoch starts from and ends in
     * @param replicas {@code job.replicas}
     * @param slots    where the task slots are counted ({@link SparkSlots#of})
     */
    public AeronAveragingTrainer(JavaSparkContext sc, ComputationGraph network, ServerPlacement placement, Input input,
                                 Averaging averaging, int replicas, RecoverySettings recovery, RoundProgress progress,
                                 SparkSlots slots) {
        this.sc = sc;
        this.network = network;
        this.placement = Objects.requireNonNull(placement, "placement");
        this.input = input;
        this.averaging = averaging;
        this.replicas = replicas;
        this.recovery = recovery;
        this.progress = progress;
        this.slots = slots;
        // This user's owner-only root: the drivers' term buffers hold the model.
        this.aeronRoot = io.alexnetspark.paramserver.AeronDirs.privateRoot() + "/alexnet-ps-";
        this.params = network.params().data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        this.latestRound = 0;
    }

    @Override
    public ComputationGraph network() {
        return network;
    }

    /** The latest complete round of the epochs so far. */
    public long latestRound() {
        return latestRound;
    }

    /** Messages the driver's current server incarnation dropped, by reason (tests); null without one. */
    io.alexnetspark.paramserver.DropCounters serverDrops() {
        return driverServer == null ? null : driverServer.server().drops();
    }

    /** The Aeron directory of the driver's current server incarnation (tests); null without one. */
    String serverAeronDir() {
        return driverServer == null ? null : driverServer.aeronDir();
    }

    /** What each replica reported in the last epoch's completed attempt. */
    public List<ReplicaResult> lastResults() {
        return lastResults;
    }

    @Override
    public void checkpointEveryRounds(int everyRounds, RoundCheckpoints sink) {
        if (everyRounds > 0 && !(placement instanceof ServerPlacement.InDriver)) {
            LOG.warn("job.checkpoint-every-rounds = {} needs paramserver.placement = driver (the driver reads the average "
                    + "from its own server); checkpoints are written between epochs only", everyRounds);
            return;
        }
        this.checkpointEvery = everyRounds;
        this.roundCheckpoints = sink;
    }

    @Override
    public void resumeWithinEpoch(int roundsIntoEpoch, int replicasThen) {
        this.baseKept = roundsIntoEpoch;
        this.baseReplicas = replicasThen;
    }

    @Override
    public EpochStats trainEpoch(int epoch, double learningRate) throws Exception {
        // A round-level checkpoint's epoch: the driver's copy holds its first rounds already, which only
        // as many replicas as trained them can continue (the deal of the shards depends on N).
        int base = baseKept;
        baseKept = 0;
        int n = base > 0 ? slots.await(baseReplicas, baseReplicas, recovery.slotWait()) : replicasForEpoch();
        firstEpoch = false;
        // The driver's momentum (the replicas' average from the last epoch, or a resumed checkpoint's)
        // goes out to every replica, so that momentum carries across epochs as in one long run. With a
        // quorum below all replicas a round may close without some, so the momentum is not averaged.
        INDArray driverMomentum = averaging.averageMomentum() ? ReplicaTask.momentumState(network) : null;
        boolean averageMomentum = driverMomentum != null && quorum().quorum() == replicas;
        Broadcast<float[]> momentum = driverMomentum != null && driverMomentum.sumNumber().doubleValue() != 0
                ? sc.broadcast(driverMomentum.toFloatVector()) : null;
        Broadcast<float[]> startParams = placement instanceof ServerPlacement.InDriver ? null
                : sc.broadcast(network.params().toFloatVector());
        long start = System.nanoTime();
        List<EpochAttempt> attempts = new ArrayList<>();
        int kept = base; // rounds of this epoch already in the server's average (a resumed attempt skips them)
        Resume resume = null;
        try {
            for (int attempt = 1; ; attempt++) {
                List<List<ShardSource>> groups = ShardDeal.deal(input.shards(), n, input.seed(), epoch);
                int rounds = roundsPerEpoch(groups);
                long attemptStart = System.nanoTime();
                String jobGroup = "alexnet-epoch-" + (epoch + 1) + "-attempt-" + attempt + "-" + UUID.randomUUID();
                Stage stage = null;
                int remaining = rounds - kept;
                List<ReplicaResult> results;
                try {
                    stage = prepareStage(n, resume, startParams, attempts);
                    resume = null;
                    if (!stage.resumed()) {
                        kept = base;
                    }
                    remaining = rounds - kept;
                    ReplicaPlan plan = new ReplicaPlan(network.getConfiguration().toJson(), stage.ipcAeronDir(),
                            averaging.tau(), remaining, stage.firstRound(), epoch, learningRate, input.pipeline(),
                            input.classNames(), averaging.awaitTimeout(), momentum, averageMomentum, stage.executorShards(),
                            (long) kept * averaging.tau(), attempt);
                    sc.setJobGroup(jobGroup, String.format(Locale.ROOT, "epoch %d%s: %d replicas x %d rounds of %d "
                            + "mini-batches (aeron-averaging)", epoch + 1, attempt > 1 ? " attempt " + attempt : "", n, remaining,
                            averaging.tau()), false);
                    progress.startEpoch(epoch, stage.firstRound(), remaining + (averageMomentum ? 1 : 0),
                            (long) n * averaging.tau() * input.pipeline().batchSize(), attempt);
                    CheckpointWatch checkpointer = startRoundCheckpoints(epoch, stage, kept, remaining, averageMomentum, n);
                    try {
                        results = BarrierStage.mapPartitions(sc.parallelize(replicaInputs(groups, stage), n), new ReplicaTask(plan))
                                .collect();
                    } finally {
                        if (checkpointer != null) {
                            checkpointer.stop();
                        }
                    }
                } catch (Exception e) {
                    if (EveryReplicaDivergedException.isIn(e)) {
                        attempts.add(new EpochAttempt(attempt, n, true, EveryReplicaDivergedException.messageIn(e),
                                seconds(attemptStart), "gave up: not retried", remaining));
                        throw new EpochFailedException(EveryReplicaDivergedException.messageIn(e), attempts, e);
                    }
                    ServerBusyException busy = busyIn(e);
                    if (busy != null) {
                        // Another job's run holds the dedicated server: retrying now would be refused the same way.
                        attempts.add(new EpochAttempt(attempt, n, true, busy.getMessage(), seconds(attemptStart),
                                "gave up: not retried", remaining));
                        throw new EpochFailedException(busy.getMessage(), attempts, e);
                    }
                    String cause = oneLine(e);
                    failedAttempts++;
                    long closed = stage == null ? 0 : closedRounds(stage);
                    int roundsInAttempt = remaining + (averageMomentum ? 1 : 0);
                    LOG.warn("epoch {} attempt {} failed after {} s with {} replicas ({} of its {} rounds closed): {}", epoch + 1,
                            attempt, String.format(Locale.ROOT, "%.1f", seconds(attemptStart)), n, closed, roundsInAttempt, cause);
                    if (attempt >= recovery.attemptsPerEpoch() || failedAttempts > recovery.failedAttemptsPerJob()) {
                        attempts.add(new EpochAttempt(attempt, n, true, cause, seconds(attemptStart), "gave up", remaining));
                        throw new EpochFailedException(epoch, attempts, giveUpReason(attempt), e);
                    }
                    // The failed attempt's tasks (killed, not yet ended) must not push into the next one,
                    // nor hold the slots and ports it needs.
                    awaitTasksEnded(jobGroup);
                    int next;
                    try {
                        next = !placement.resizable() ? n : base > 0 ? slots.await(n, n, recovery.slotWait())
                                : slots.await(replicas, recovery.minReplicas(), recovery.slotWait());
                    } catch (SparkSlots.NotEnoughSlotsException lack) {
                        attempts.add(new EpochAttempt(attempt, n, true, cause, seconds(attemptStart), "gave up", remaining));
                        throw new EpochFailedException(epoch, attempts, lack.getMessage(), e);
                    }
                    // A resume needs the server's last average to be a parameter average of this epoch,
                    // the same replicas (the deal, and with it the skipped mini-batches, depends on N),
                    // and a round still to train; the momentum round's average is not parameters.
                    boolean momentumLast = averageMomentum && closed == remaining;
                    boolean resumable = placement.resumesWithinEpoch() && next == n && closed > 0 && closed < remaining
                            && !momentumLast;
                    String what;
                    int redone;
                    if (resumable) {
                        long round = stage.firstRound() + closed;
                        resume = new Resume(round, driverServer != null ? driverServer.copyLatest(averaging.awaitTimeout()) : null);
                        kept += (int) closed;
                        redone = 1;
                        what = String.format(Locale.ROOT, "resume at round %d (%d of %d rounds kept)", round, kept, rounds);
                    } else {
                        redone = kept - base + (int) Math.max(0, Math.min(closed, remaining)) + 1;
                        kept = base;
                        what = base > 0 ? "restart from the round-level checkpoint (round " + base + " of the epoch)"
                                : next == n ? "restart the epoch from its start"
                                : "restart the epoch from its start with " + next + " of " + replicas + " replicas";
                    }
                    if (driverServer != null) {
                        // Nothing the failed stage pushed may reach a later round: a new incarnation.
                        latestRound = driverServer.server().latestRound();
                        closeDriverServer();
                    }
                    attempts.add(new EpochAttempt(attempt, n, true, cause, seconds(attemptStart), what, redone));
                    LOG.warn("epoch {}: {} (attempt {} of {}, {} failed attempts in this run so far)", epoch + 1, what,
                            attempt + 1, recovery.attemptsPerEpoch(), failedAttempts);
                    n = next;
                    continue;
                } finally {
                    sc.clearJobGroup();
                }
                attempts.add(new EpochAttempt(attempt, n, false, "", seconds(attemptStart), "", 0));
                return finishEpoch(epoch, results, groups, kept, n, rounds, start, attempts);
            }
        } finally {
            if (momentum != null) {
                momentum.destroy();
            }
            if (startParams != null) {
                startParams.destroy();
            }
        }
    }

    /** Where a resumed attempt starts: the server's last closed round, and (driver placement) its average. */
    private record Resume(long round, ByteBuffer average) {
    }

    /**
     * What one attempt's stage reaches and starts from.
     *
     * @param resumed whether it resumes the epoch's earlier attempts (else it starts the epoch afresh)
     */
    private record Stage(JobSpec job, String ipcAeronDir, long firstRound, ReplicaPlan.ExecutorShards executorShards,
                         boolean resumed) {
    }

    /**
     * Readies the server side of one attempt. Driver placement: the running server, or a new
     * incarnation seeded with the resumed round's average or the driver's parameters. External: the
     * dedicated server is asked for its round and incarnation and seeded under a new round number,
     * with its own latest average (a resume, same incarnation) or the driver's copy.
     */
    private Stage prepareStage(int n, Resume resume, Broadcast<float[]> startParams, List<EpochAttempt> attempts) {
        ServerPlacement.Quorum quorum = quorum();
        if (placement instanceof ServerPlacement.InDriver d) {
            if (driverServer != null && driverServer.server().failure() != null) {
                // A shard of the driver's server stopped: what it holds may be incomplete. A new
                // incarnation starts from the driver's copy (the epoch restarts).
                LOG.error("the driver's parameter server failed ({}): starting a new one", driverServer.server().failure().getMessage());
                closeDriverServer();
                resume = null;
            }
            if (driverServer == null || driverServer.job().workers() != n || resume != null) {
                closeDriverServer();
                JobSpec job = d.template().incarnation(n, d.template().shards());
                String dir = aeronRoot + UUID.randomUUID();
                ParameterServer server = new ParameterServer(new ServerConfig(job, quorum.forWorkers(n),
                        quorum.roundTimeout(), AeronSetup.embedded(dir)), progress).start();
                driverServer = new DriverServer(server, job, dir);
                if (resume != null) {
                    server.publishInitial(resume.round(), resume.average());
                } else {
                    // A fresh start, or a restart of the epoch: the driver's copy, under the next round number.
                    server.publishInitial(seeded ? latestRound + 1 : latestRound, params);
                    seeded = true;
                }
                latestRound = server.latestRound();
            }
            return new Stage(driverServer.job(), d.ipc() ? driverServer.aeronDir() : null, driverServer.server().latestRound(),
                    null, resume != null);
        }
        if (placement instanceof ServerPlacement.InExecutors e) {
            return new Stage(e.template().incarnation(n, n), null, latestRound,
                    new ReplicaPlan.ExecutorShards(startParams, true, quorum.forWorkers(n), quorum.roundTimeout()), false);
        }
        ServerPlacement.External x = (ServerPlacement.External) placement;
        try (ExternalServer link = ExternalServer.connect(x, externalRun)) {
            ServerRound now = link.query();
            boolean restarted = serverIncarnation != null && now.incarnation() != serverIncarnation;
            if (restarted) {
                LOG.warn("the external parameter server restarted (a new incarnation, holding round {}): re-seeding it "
                        + "from the driver's copy", now.latestRound());
                if (!attempts.isEmpty()) {
                    EpochAttempt last = attempts.remove(attempts.size() - 1);
                    attempts.add(new EpochAttempt(last.attempt(), last.replicas(), last.failed(), last.cause(), last.seconds(),
                            "restart the epoch from its start: the external server had restarted (new incarnation)",
                            last.roundsRedone()));
                }
            } else if (serverIncarnation == null) {
                LOG.info("the external parameter server holds round {} ({} shards agree: {})", now.latestRound(),
                        x.job().shards(), now.agree());
            }
            serverIncarnation = now.incarnation();
            long round = Math.max(latestRound, now.latestRound()) + 1;
            if (resume != null && !restarted && now.latestRound() == resume.round()) {
                // Its own latest average, under a new round: the seed also drops the failed stage's partial pushes.
                ByteBuffer latest = ByteBuffer.allocateDirect((int) x.job().layout().bytes()).order(ByteOrder.LITTLE_ENDIAN);
                link.client().pullLatest(latest);
                link.client().seed(round, latest);
                latestRound = round;
                return new Stage(link.job(), null, round,
                        new ReplicaPlan.ExecutorShards(null, false, quorum.forWorkers(n), quorum.roundTimeout()), true);
            }
            link.client().seed(round, params);
            latestRound = round;
            return new Stage(link.job(), null, round,
                    new ReplicaPlan.ExecutorShards(startParams, false, quorum.forWorkers(n), quorum.roundTimeout()), false);
        }
    }

    /**
     * With {@code job.checkpoint-every-rounds}, a thread that watches the driver's server during the
     * stage and hands the average to the checkpoint sink every so many closed rounds; else null.
     */
    private CheckpointWatch startRoundCheckpoints(int epoch, Stage stage, int kept, int remaining, boolean averageMomentum, int n) {
        if (checkpointEvery <= 0 || roundCheckpoints == null || driverServer == null) {
            return null;
        }
        ParameterServer server = driverServer.server();
        long first = stage.firstRound();
        // A flag beside the interrupt: file-system code on the way (Hadoop's) may swallow an interrupt,
        // and a watcher that missed it would keep the driver waiting for it for ever (seen in CI).
        java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
        Thread t = new Thread(() -> {
            int written = kept;
            ByteBuffer copy = null;
            try {
                while (!stopped.get() && !Thread.currentThread().isInterrupted()) {
                    Thread.sleep(250);
                    long closed = server.latestRound() - first;
                    // Only parameter rounds before the last (the epoch's own checkpoint follows it); the
                    // momentum round's average is not parameters.
                    if (closed <= 0 || closed >= remaining || (kept + closed) / checkpointEvery <= written / checkpointEvery) {
                        continue;
                    }
                    if (copy == null) {
                        copy = ByteBuffer.allocateDirect((int) driverServer.job().layout().bytes()).order(ByteOrder.LITTLE_ENDIAN);
                    }
                    long round = server.latestAverage(copy, averaging.awaitTimeout());
                    int into = kept + (int) (round - first);
                    if (round - first >= remaining) {
                        continue;
                    }
                    float[] average = new float[(int) (copy.capacity() / 4)];
                    copy.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(average);
                    roundCheckpoints.save(epoch, into, n, average);
                    written = into;
                }
            } catch (InterruptedException e) {
                // the stage ended
            } catch (Exception e) {
                LOG.warn("epoch {}: a round-level checkpoint failed: {}", epoch + 1, oneLine(e), e);
            }
        }, "round-checkpoints");
        t.setDaemon(true);
        t.start();
        return new CheckpointWatch(t, stopped);
    }

    /** The round-level checkpoint watcher of one stage: stopped when the stage ends. */
    private record CheckpointWatch(Thread thread, java.util.concurrent.atomic.AtomicBoolean stopped) {
        /** Stops the watcher and waits for it (a checkpoint being written is finished first), at most a minute. */
        void stop() throws InterruptedException {
            stopped.set(true);
            thread.interrupt();
            thread.join(java.util.concurrent.TimeUnit.MINUTES.toMillis(1));
            if (thread.isAlive()) {
                LOG.warn("the round-level checkpoint watcher did not stop within a minute; going on without it");
            }
        }
    }

    /** The dedicated server's refusal in {@code e}'s causes, or null. */
    private static ServerBusyException busyIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ServerBusyException b) {
                return b;
            }
        }
        return null;
    }

    /**
     * One partition per replica: its shards and its copy of the job. Each replica's copy holds its
     * own keys only; where replicas serve the shards themselves (executors placement), the secret.
     */
    private static List<ReplicaInput> replicaInputs(List<List<ShardSource>> groups, Stage stage) {
        boolean serveOwn = stage.executorShards() != null && stage.executorShards().serveOwn();
        List<ReplicaInput> inputs = new java.util.ArrayList<>(groups.size());
        for (int w = 0; w < groups.size(); w++) {
            inputs.add(new ReplicaInput(groups.get(w), serveOwn ? stage.job() : stage.job().forWorker(w)));
        }
        return inputs;
    }

    /** Rounds the failed attempt closed on a server that outlives it (0 if unknown or none). */
    private long closedRounds(Stage stage) {
        if (driverServer != null) {
            return driverServer.server().latestRound() - stage.firstRound();
        }
        if (placement instanceof ServerPlacement.External x) {
            try (ExternalServer link = ExternalServer.connect(x, externalRun)) {
                ServerRound now = link.query();
                return now.incarnation() == serverIncarnation && now.agree() ? Math.max(0, now.latestRound() - stage.firstRound()) : 0;
            } catch (RuntimeException e) {
                LOG.warn("the external parameter server does not answer after the failed attempt: {}", oneLine(e));
                return 0;
            }
        }
        return 0;
    }

    /** Waits (up to a minute) until no task of the failed attempt's job group runs any more. */
    private void awaitTasksEnded(String jobGroup) throws InterruptedException {
        long deadline = System.nanoTime() + TASKS_END_WAIT.toNanos();
        org.apache.spark.api.java.JavaSparkStatusTracker tracker = sc.statusTracker();
        while (true) {
            int active = 0;
            for (int job : tracker.getJobIdsForGroup(jobGroup)) {
                org.apache.spark.SparkJobInfo info = tracker.getJobInfo(job);
                if (info == null) {
                    continue;
                }
                for (int stageId : info.stageIds()) {
                    org.apache.spark.SparkStageInfo stage = tracker.getStageInfo(stageId);
                    active += stage == null ? 0 : stage.numActiveTasks();
                }
            }
            if (active == 0) {
                return;
            }
            if (System.nanoTime() > deadline) {
                LOG.warn("{} tasks of the failed attempt still run after {} s; going on", active, TASKS_END_WAIT.toSeconds());
                return;
            }
            Thread.sleep(100);
        }
    }

    private EpochStats finishEpoch(int epoch, List<ReplicaResult> results, List<List<ShardSource>> groups, int kept, int n,
                                   int rounds,
                                   long start, List<EpochAttempt> attempts) {
        if (driverServer != null) {
            driverServer.server().latestAverage(params, averaging.awaitTimeout());
            latestRound = driverServer.server().latestRound();
        } else {
            ReplicaResult first = results.stream().filter(r -> r.params() != null).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no replica returned the epoch's average"));
            params.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(first.params());
            latestRound = first.lastRound();
        }
        INDArray driverMomentum = ReplicaTask.momentumState(network);
        results.stream().map(ReplicaResult::momentum).filter(Objects::nonNull).findFirst()
                .ifPresent(m -> driverMomentum.assign(Nd4j.create(m)));
        lastResults = List.copyOf(results);
        checkInStep(epoch, results);
        LOG.info("epoch {}: {}", epoch + 1, progress.epochSummary());
        if (attempts.size() > 1) {
            LOG.info("epoch {}: completed in attempt {} with {} replicas; {} of its {} rounds came from earlier attempts",
                    epoch + 1, attempts.size(), n, kept, rounds);
        }
        int batch = input.pipeline().batchSize();
        long images = results.stream().mapToLong(ReplicaResult::images).sum() + imagesInFirstRounds(groups, kept);
        double loss = results.stream().mapToDouble(ReplicaResult::meanLoss).average().orElse(Double.NaN);
        double averagingSeconds = results.stream().mapToDouble(ReplicaResult::averagingSeconds).average().orElse(0);
        int resets = results.stream().mapToInt(ReplicaResult::resets).sum();
        int missed = results.stream().mapToInt(ReplicaResult::missedRounds).sum();
        return new EpochStats(loss, images, seconds(start), averagingSeconds, n, n * batch, attempts, resets, missed);
    }

    /**
     * The replicas this epoch runs with: the first epoch waits for all of them (executors register
     * one by one at start), later ones take what the cluster offers after a short wait, at least
     * {@code job.min-replicas}; so an epoch after a lost node shrinks, and one after its return grows back.
     */
    private int replicasForEpoch() throws InterruptedException {
        if (!placement.resizable()) {
            return replicas;
        }
        int n;
        try {
            n = slots.await(replicas, recovery.minReplicas(), firstEpoch ? recovery.slotWait() : GROW_BACK_WAIT);
        } catch (SparkSlots.NotEnoughSlotsException e) {
            n = slots.await(recovery.minReplicas(), recovery.minReplicas(), recovery.slotWait());
        }
        if (n < replicas) {
            LOG.warn("the cluster offers {} task slots: this epoch runs {} of {} replicas (job.min-replicas = {}); "
                    + "the next grows back when slots return", slots.available(), n, replicas, recovery.minReplicas());
        }
        return n;
    }

    /**
     * Rounds of the epoch: enough for the replica with the most mini-batches. A replica whose shards
     * run out sooner pushes the average it holds in the rounds left (no update of its own), so that
     * every image of the epoch is trained once, whatever the sizes of the replicas' shard groups.
     */
    private int roundsPerEpoch(List<List<ShardSource>> groups) {
        long most = 0;
        for (List<ShardSource> g : groups) {
            if (g.isEmpty()) {
                throw new IllegalStateException("more replicas (" + groups.size() + ") than training shards ("
                        + input.shards().size() + "): ingest smaller shards or train fewer replicas");
            }
            most = Math.max(most, batchesOf(g));
        }
        if (most < 1) {
            throw new IllegalStateException("no replica gets a whole mini-batch of " + input.pipeline().batchSize()
                    + " images this epoch: use a smaller batch or more data");
        }
        return (int) ((most + averaging.tau() - 1) / averaging.tau());
    }

    /** Mini-batches a replica with these shards reads in an epoch. */
    private long batchesOf(List<ShardSource> group) {
        long images = group.stream().mapToLong(s -> s.info().images()).sum();
        int batch = input.pipeline().batchSize();
        return input.pipeline().dropLast() ? images / batch : (images + batch - 1) / batch;
    }

    /** Images the first {@code rounds} rounds of an epoch trained, over all replicas. */
    private long imagesInFirstRounds(List<List<ShardSource>> groups, int rounds) {
        long total = 0;
        int batch = input.pipeline().batchSize();
        for (List<ShardSource> g : groups) {
            long images = g.stream().mapToLong(s -> s.info().images()).sum();
            long batches = Math.min((long) rounds * averaging.tau(), batchesOf(g));
            total += Math.min(batches * batch, images);
        }
        return total;
    }

    private ServerPlacement.Quorum quorum() {
        return placement.quorum(replicas, averaging.awaitTimeout());
    }

    private String giveUpReason(int attempt) {
        if (attempt >= recovery.attemptsPerEpoch()) {
            return "no attempts left for this epoch (job.recovery.attempts-per-epoch = " + recovery.attemptsPerEpoch() + ")";
        }
        return "no failed attempts left for this run (job.recovery.failed-attempts-per-job = "
                + recovery.failedAttemptsPerJob() + ")";
    }

    /**
     * Every replica must end the epoch holding the server's last average, bit for bit: a replica
     * that trained on without it would silently drift. Logged, with where each replica ran.
     */
    private void checkInStep(int epoch, List<ReplicaResult> results) {
        long average = ReplicaTask.crc(params);
        for (ReplicaResult r : results) {
            LOG.info("epoch {}: replica {} on {}{}: {} images, loss {}, train {} s, averaging {} s{}", epoch + 1, r.worker(),
                    r.host(), r.gpu() >= 0 ? " (GPU " + r.gpu() + ")" : "", r.images(),
                    String.format(Locale.ROOT, "%.4f", r.meanLoss()), String.format(Locale.ROOT, "%.1f", r.trainSeconds()),
                    String.format(Locale.ROOT, "%.1f", r.averagingSeconds()),
                    (r.resets() > 0 ? ", reset " + r.resets() + "x after NaN/Inf" : "")
                            + (r.missedRounds() > 0 ? ", missed " + r.missedRounds() + " rounds" : ""));
        }
        if (results.stream().allMatch(r -> r.paramsCrc() == average)) {
            LOG.info("epoch {}: replicas in step: all {} hold the {} average (CRC32 {})", epoch + 1, results.size(),
                    driverServer != null ? "server's" : "shards'", Long.toHexString(average));
        } else {
            LOG.warn("epoch {}: replicas OUT OF STEP: server average CRC32 {}, replicas {}", epoch + 1,
                    Long.toHexString(average), results.stream().map(r -> r.worker() + "=" + Long.toHexString(r.paramsCrc()))
                            .toList());
        }
    }

    private void closeDriverServer() {
        if (driverServer != null) {
            driverServer.server().close();
            driverServer = null;
        }
    }

    @Override
    public void close() {
        closeDriverServer();
        if (placement instanceof ServerPlacement.External x && serverIncarnation != null) {
            try {
                if (!ExternalServer.release(x, externalRun)) {
                    LOG.warn("the external parameter server did not confirm the release of run {}: it takes a new run after its lease",
                        Long.toHexString(externalRun));
                }
            } catch (RuntimeException e) {
                LOG.warn("could not release the external parameter server (its lease will): {}", oneLine(e));
            }
        }
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    /** A failure's message on one line, without stack frames: what the log, metrics and report show. */
    static String oneLine(Throwable e) {
        Throwable t = e;
        while (t.getMessage() == null && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage() == null ? t.getClass().getName() : t.getMessage();
        StringBuilder b = new StringBuilder();
        for (String line : message.split("\n")) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("at ") || l.startsWith("...")) {
                continue;
            }
            b.append(b.length() == 0 ? "" : " | ").append(l);
            if (b.length() > 400) {
                break;
            }
        }
        return b.length() > 400 ? b.substring(0, 400) + "..." : b.toString();
    }

    /** The driver's own server incarnation. */
    private record DriverServer(ParameterServer server, JobSpec job, String aeronDir) {
        /** The server's latest average, copied out (it seeds the next incarnation). */
        ByteBuffer copyLatest(Duration wait) {
            ByteBuffer copy = ByteBuffer.allocateDirect((int) job.layout().bytes()).order(ByteOrder.LITTLE_ENDIAN);
            server.latestAverage(copy, wait);
            return copy;
        }
    }
}
