package io.alexnetspark.train;

import io.alexnetspark.spark.AlexNetKryoRegistrator;
import io.alexnetspark.train.aeron.AeronAveragingTrainer;
import io.alexnetspark.train.aeron.RoundProgress;
import io.alexnetspark.train.aeron.ServerPlacement;
import io.alexnetspark.train.aeron.SparkSlots;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.data.storage.AtomicPublish;
import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.model.config.JobSettings;
import io.alexnetspark.paramserver.Channel;
import io.alexnetspark.paramserver.JobSpec;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.nd4j.parameterserver.distributed.v2.transport.impl.StaticPortSupplier;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The driver side of one training run, shared by {@code train} and {@code retrain}: reads the
 * manifest, starts the parameter server (aeron-averaging) or sets up DL4J's training master, runs
 * the {@link TrainingLoop}, and writes model/model.zip + card.json and the report into
 * {@code job.output}. A running SparkContext is reused (an application that calls us); one created
 * here is stopped here.
 */
public final class TrainingJob {

    /** What a finished run leaves behind. */
    public record Outcome(ComputationGraph network, EpochMetrics last, ModelCard card, Path modelDir) {
    }

    private final Config cfg;
    private final PrintWriter out;
    /** {@link #checkSparkSecurity} passed (retrain calls it early; run then does not log its warning twice). */
    private boolean sparkSecurityChecked;
    private boolean allowCodeChange;

    /** @param out where the run's summary lines go (progress lines go to stderr) */
    public TrainingJob(Config cfg, PrintWriter out) {
        this.cfg = cfg;
        this.out = out;
    }

    /** Resume a run that another code version started (said, not refused). */
    public TrainingJob allowCodeChange(boolean allow) {
        this.allowCodeChange = allow;
        return this;
    }

    /**
     * Trains.
     *
     * @param start     {@code FRESH} into a folder that holds no run; {@code RESUME} the folder's run
     *                  from its newest complete checkpoint (the same configuration and data only);
     *                  {@code OVERWRITE} moves the folder's run aside first
     * @param warmStart parameters to start from instead of a fresh initialisation (same architecture)
     * @param parent    the registry version {@code warmStart} came from, for the model card; or null
     * @throws RunFolderException if job.output holds another run, or a different one to resume
     */
    public Outcome run(RunFolder.Start start, Optional<ComputationGraph> warmStart, String parent) throws Exception {
        boolean resume = start == RunFolder.Start.RESUME;
        ConfigValidation.check(cfg);
        JobSettings job = JobSettings.from(cfg);
        DataConfig data = DataConfig.from(cfg);
        TrainSettings ts = TrainSettings.from(cfg);
        SparkConf sparkConf = sparkConf(ts);
        checkSparkSecurity(ts, sparkConf);
        Configuration hadoop = new Configuration();

        Path dataRoot = new Path(ts.data());
        Manifest manifest = ManifestIO.read(dataRoot.getFileSystem(hadoop), dataRoot);
        List<String> classes = manifest.classNames();
        if (classes.size() != job.model().classes()) {
            throw new InvalidConfigException("model.classes", "is " + job.model().classes() + " but the dataset "
                    + manifest.dataset() + " has " + classes.size() + " classes");
        }
        List<ShardSource> train = ShardSource.fromManifest(manifest, dataRoot, "train");
        List<ShardSource> val = ShardSource.fromManifest(manifest, dataRoot, "val");
        int batch = job.recipe().batchSize();
        long trainImages = train.stream().mapToLong(s -> s.info().images()).sum();
        PipelineSettings trainPipeline = data.trainPipeline(batch, classes.size());

        String configText = cfg.root().render(ConfigRenderOptions.concise());
        String configHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(configText.getBytes(StandardCharsets.UTF_8)));
        String manifestId = manifest.dataset() + "@" + manifest.createdAt();

        // The folder is claimed before anything starts: a fresh run never mixes with another's files.
        Path output = new Path(ts.output());
        RunIdentity identity = new RunFolder(output, hadoop).claim(RunIdentity.of(cfg, manifest), start, allowCodeChange, out);
        out.println((resume ? "run " : "new run ") + identity.runId() + " in " + output);
        out.flush();

        // Reuse a running context (an application or notebook that calls us), and stop only our own.
        boolean ownContext = SparkContext$.MODULE$.getActive().isEmpty();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkContext.getOrCreate(sparkConf));
        try {
            FileSystem fs = output.getFileSystem(hadoop);
            CheckpointStore checkpoints = new CheckpointStore(new Path(output, "checkpoints"), hadoop, ts.keepCheckpoints(),
                    identity.runId());
            MetricsLog metrics = new MetricsLog(new Path(output, "metrics.jsonl"), hadoop);
            Optional<CheckpointStore.Loaded> resumed = resume ? checkpoints.loadLatest() : Optional.empty();
            if (resume) {
                out.println(resumed.map(r -> "resuming from " + r.path() + " (after epoch " + r.state().epoch()
                                + (r.state().withinEpoch() ? " and " + r.state().roundsIntoEpoch() + " rounds of epoch "
                                + (r.state().epoch() + 1) : "") + ")")
                        .orElse("nothing to resume in " + output + ": starting fresh"));
                out.flush();
            }
            ComputationGraph network = resumed.map(CheckpointStore.Loaded::network)
                    .orElseGet(() -> warmStart.orElseGet(() -> job.networkFactory().newNetwork()));
            TrainingLoop.RunInfo run = new TrainingLoop.RunInfo(job.recipe().epochs(), job.recipe().seed(), configHash,
                    configText, manifestId);
            PipelineSettings evalPipeline = data.evalPipeline(batch, classes.size());
            long valImages = val.stream().mapToLong(s -> s.info().images()).sum();
            Evaluator evaluator = ts.evaluateOnExecutors(sc.master().startsWith("local"), valImages)
                    ? new SparkShardEvaluator(sc, val, evalPipeline, classes, sc.defaultParallelism())
                    : new ShardEvaluator(val, evalPipeline, classes);

            EpochTrainer trainer;
            switch (ts.syncMode()) {
                case AERON_AVERAGING -> {
                    RoundProgress rounds = new RoundProgress(System.err, job.recipe().epochs());
                    ServerPlacement placement = serverPlacement(ts, network.numParams(), sc);
                    trainer = new AeronAveragingTrainer(sc, network, placement,
                            new AeronAveragingTrainer.Input(train, trainPipeline, classes, job.recipe().seed()),
                            new AeronAveragingTrainer.Averaging(ts.tau(), ts.roundTimeout().multipliedBy(2), ts.averageMomentum()),
                            ts.replicas(), ts.recovery(), rounds, SparkSlots.of(sc.sc()));
                }
                case SPARK_AVERAGING -> trainer = new Dl4jMasterTrainer(sc, network,
                        new ParameterAveragingTrainingMaster.Builder(batch).batchSizePerWorker(batch)
                                .averagingFrequency(ts.tau()).workerPrefetchNumBatches(0)
                                .rddTrainingApproach(RDDTrainingApproach.Direct).build(),
                        epoch -> epochData(sc, train, trainPipeline, classes, ts.replicas(), job.recipe().seed(), epoch),
                        ts.replicas(), batch, trainImages);
                case DL4J_GRADIENT_SHARING -> {
                    // DL4J's embedded media drivers keep their /dev/shm folders; ours to remove at exit.
                    EmbeddedDriverDirs.snapshot().deleteAtExit();
                    trainer = new Dl4jMasterTrainer(sc, network,
                            new SharedTrainingMaster.Builder(VoidConfiguration.builder()
                                    .controllerAddress(sc.getConf().get("spark.driver.host", "127.0.0.1"))
                                    .portSupplier(new StaticPortSupplier(ts.port())).build(), batch)
                                    .batchSizePerWorker(batch).workersPerNode(1)
                                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                                    .thresholdAlgorithm(new AdaptiveThresholdAlgorithm(1e-3)).build(),
                            epoch -> epochData(sc, train, trainPipeline, classes, ts.replicas(), job.recipe().seed(), epoch),
                            ts.replicas(), batch, trainImages);
                }
                default -> throw new IllegalStateException(ts.syncMode().toString());
            }
            try (EpochTrainer closeTrainer = trainer) {
                new TrainingLoop(run, trainer, evaluator, job.recipe().newPolicy(), checkpoints, metrics, System.err)
                        .checkpointEveryRounds(ts.checkpointEveryRounds())
                        .run(resumed.map(CheckpointStore.Loaded::state));

                Path modelDir = new Path(output, "model");
                EpochMetrics last = metrics.epochs().get(metrics.epochs().size() - 1);
                ModelCard card = new ModelCard("run", job.model().variant().configName(), classes.size(), classes, manifestId,
                        manifestId + "/val", configHash, last.top1Error(), last.top5Error(), Instant.now().toString(), parent);
                AtomicPublish publish = new AtomicPublish(fs);
                publishModel(publish, modelDir, trainer.network(), card);
                publishReport(publish, new Path(output, "report"),
                        "alexnet-spark: " + manifest.dataset() + ", " + ts.syncMode(), metrics.epochs());

                out.printf("trained %d epochs (%s, %d replicas): top-1 error %.2f%%, top-5 error %.2f%%%n",
                        last.epoch(), ts.syncMode(), ts.replicas(), 100 * last.top1Error(), 100 * last.top5Error());
                out.printf("model    %s%nmetrics  %s%nreport   %s%n", new Path(modelDir, "model.zip"), metrics.path(),
                        new Path(output, "report/report.html"));
                out.flush();
                return new Outcome(trainer.network(), last, card, modelDir);
            }
        } finally {
            if (ownContext) {
                sc.stop();
            }
        }
    }

    /**
     * Writes model.zip and card.json: the first time as one folder published whole; when this run
     * finishes again (resumed after it had finished), file by file, each replaced in one step.
     */
    private static void publishModel(AtomicPublish publish, Path modelDir, ComputationGraph network, ModelCard card)
            throws java.io.IOException {
        AtomicPublish.Body model = o -> ModelSerializer.writeModel(network, o, false);
        AtomicPublish.Body cardJson = o -> ManifestIO.JSON.writeValue(o, card);
        if (!publish.fileSystem().exists(modelDir)) {
            Path staged = publish.stageDirectory(modelDir);
            publish.writeFile(new Path(staged, "model.zip"), model);
            publish.writeFile(new Path(staged, "card.json"), cardJson);
            publish.moveIfAbsent(staged, modelDir);
        } else {
            publish.replaceFile(new Path(modelDir, "model.zip"), model);
            publish.replaceFile(new Path(modelDir, "card.json"), cardJson);
        }
    }

    /** Draws the report locally and publishes each file over the last one (the page last). */
    private static void publishReport(AtomicPublish publish, Path reportDir, String title, List<EpochMetrics> epochs)
            throws java.io.IOException {
        java.nio.file.Path local = Files.createTempDirectory("alexnet-report");
        try {
            java.nio.file.Path html = TrainingReport.write(local, title, epochs);
            List<java.nio.file.Path> files;
            try (var listing = Files.list(local)) {
                files = listing.sorted(java.util.Comparator.comparing((java.nio.file.Path f) -> f.equals(html))
                        .thenComparing(java.nio.file.Path::toString)).toList();
            }
            for (java.nio.file.Path f : files) {
                publish.replaceFile(new Path(reportDir, f.getFileName().toString()), o -> Files.copy(f, o));
            }
        } finally {
            org.apache.commons.io.FileUtils.deleteQuietly(local.toFile());
        }
    }

    /**
     * Refuses, before any work, to train on a cluster master whose Spark traffic is not both
     * authenticated and encrypted, unless {@code job.network-trusted} ({@link SparkSecurityCheck}).
     * {@link #run} checks first thing; {@code retrain} calls this before it judges the production
     * model, which takes a while on a large validation set.
     *
     * @throws UnprotectedClusterException when refused; the message says why and the ways out
     */
    public void checkSparkSecurity() {
        TrainSettings ts = TrainSettings.from(cfg);
        checkSparkSecurity(ts, sparkConf(ts));
    }

    private void checkSparkSecurity(TrainSettings ts, SparkConf ours) {
        if (sparkSecurityChecked) {
            return;
        }
        // A running context (an application that calls us) is the one the tasks will go through.
        scala.Option<SparkContext> active = SparkContext$.MODULE$.getActive();
        SparkSecurityCheck.check(active.isDefined() ? active.get().getConf() : ours, ts.networkTrusted());
        sparkSecurityChecked = true;
    }

    /**
     * The settings of the context this run creates when none is running: spark-submit's (system
     * properties), else {@code local[job.replicas]}, with Kryo as conf/spark-defaults.conf sets it, so
     * that the local launcher runs what spark-submit runs.
     */
    private static SparkConf sparkConf(TrainSettings ts) {
        SparkConf conf = new SparkConf().setAppName("alexnet-spark train")
                .setIfMissing("spark.master", "local[" + ts.replicas() + "]");
        if (conf.get("spark.master").startsWith("local")) {
            // Spark's UI binds to 0.0.0.0 (only SPARK_LOCAL_IP changes that): a local run does not
            // open a port to the network unless asked (--conf spark.ui.enabled=true).
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        return AlexNetKryoRegistrator.applyTo(conf);
    }

    /** The epoch's mini-batches as an RDD: the same shard deal as aeron-averaging, one partition per replica. */
    private static JavaRDD<DataSet> epochData(JavaSparkContext sc, List<ShardSource> shards, PipelineSettings pipeline,
                                              List<String> classes, int replicas, long seed, int epoch) {
        return sc.parallelize(ShardDeal.deal(shards, replicas, seed, epoch), replicas)
                .flatMap(new ShardDataSets(pipeline, classes, epoch));
    }

    /**
     * Where this run's parameter server is, from {@code paramserver.*}: the one place the three
     * placements are told apart before the trainer takes over.
     */
    private static ServerPlacement serverPlacement(TrainSettings ts, long floats, JavaSparkContext sc) {
        boolean local = sc.master().startsWith("local");
        TrainSettings.Placement placement = ts.placement();
        boolean ipc = placement == TrainSettings.Placement.DRIVER
                && (ts.transport().equals("ipc") || (ts.transport().equals("auto") && local));
        String driverHost = sc.getConf().get("spark.driver.host", "127.0.0.1");
        String host = ts.host().isBlank() ? (placement == TrainSettings.Placement.EXTERNAL ? ts.shardHosts().get(0)
                : driverHost) : ts.host();
        Channel udp = Channel.udp(host, ts.port());
        ServerPlacement.Quorum quorum = new ServerPlacement.Quorum(ts.replicas(), ts.quorum(), ts.roundTimeout());
        return switch (placement) {
            // A server of this job's own: a fresh id and secret for every incarnation. In the executors,
            // one shard per replica, each on its executor's host (filled in by the tasks).
            case DRIVER -> new ServerPlacement.InDriver(new ServerPlacement.JobTemplate(floats, ts.shards(),
                    ipc ? Channel.ipc() : udp, ts.mac()), ipc, quorum);
            case EXECUTORS -> new ServerPlacement.InExecutors(new ServerPlacement.JobTemplate(floats, ts.replicas(), udp,
                    ts.mac()), quorum);
            // What the dedicated server was started with.
            case EXTERNAL -> {
                JobSpec psJob = new JobSpec(ts.jobId(), readSecret(ts.secretFile()), floats, ts.replicas(), ts.shards(),
                        JobSpec.DEFAULT_CHUNK_BYTES, ts.shardHosts().isEmpty() ? udp : udp.withShardHosts(ts.shardHosts()))
                        .withMac(ts.mac());
                yield new ServerPlacement.External(psJob, driverHost, ts.roundTimeout());
            }
        };
    }

    /** The secret of a dedicated server, from the file it was started with ({@code --secret-file}). */
    private static byte[] readSecret(String file) {
        try {
            return io.alexnetspark.paramserver.SecretFiles.read(java.nio.file.Path.of(file));
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("paramserver.secret-file", e.getMessage());
        }
    }

}
