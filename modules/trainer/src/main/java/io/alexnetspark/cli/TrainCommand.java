package io.alexnetspark.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.model.config.JobSettings;
import io.alexnetspark.paramserver.AeronSetup;
import io.alexnetspark.paramserver.Channel;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.paramserver.ParameterServer;
import io.alexnetspark.paramserver.ServerConfig;
import io.alexnetspark.train.CheckpointStore;
import io.alexnetspark.train.Dl4jMasterTrainer;
import io.alexnetspark.train.EpochMetrics;
import io.alexnetspark.train.EpochTrainer;
import io.alexnetspark.train.MetricsLog;
import io.alexnetspark.train.ModelCard;
import io.alexnetspark.train.ShardDataSets;
import io.alexnetspark.train.ShardDeal;
import io.alexnetspark.train.ShardEvaluator;
import io.alexnetspark.train.TrainSettings;
import io.alexnetspark.train.TrainingLoop;
import io.alexnetspark.train.TrainingReport;
import io.alexnetspark.train.aeron.AeronAveragingTrainer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
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
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;

/** The main job: trains the configured network on ingested shards across Spark executors. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the configured AlexNet on the shards that `ingest` wrote (job.data), one replica per",
                "executor, kept in step by job.sync-mode; checkpoints, metrics, model and report go to job.output."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in job.output.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        Config cfg = config.load(List.of());
        JobSettings job = JobSettings.from(cfg);
        DataConfig data = DataConfig.from(cfg);
        TrainSettings ts = TrainSettings.from(cfg);
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
        PipelineSettings trainPipeline = data.trainPipeline(batch, classes.size());

        String configText = cfg.root().render(ConfigRenderOptions.concise());
        String configHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(configText.getBytes(StandardCharsets.UTF_8)));
        String manifestId = manifest.dataset() + "@" + manifest.createdAt();

        SparkConf sparkConf = new SparkConf().setAppName("alexnet-spark train")
                .setIfMissing("spark.master", "local[" + ts.replicas() + "]");
        PrintWriter out = spec.commandLine().getOut();
        // Reuse a running context (an application or notebook that calls us), and stop only our own.
        boolean ownContext = SparkContext$.MODULE$.getActive().isEmpty();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkContext.getOrCreate(sparkConf));
        try {
            Path output = new Path(ts.output());
            FileSystem fs = output.getFileSystem(hadoop);
            CheckpointStore checkpoints = new CheckpointStore(new Path(output, "checkpoints"), hadoop, ts.keepCheckpoints());
            MetricsLog metrics = new MetricsLog(new Path(output, "metrics.jsonl"), hadoop);
            Optional<CheckpointStore.Loaded> resumed = resume ? checkpoints.loadLatest() : Optional.empty();
            if (resume) {
                out.println(resumed.map(r -> "resuming from " + r.path() + " (after epoch " + r.state().epoch() + ")")
                        .orElse("nothing to resume in " + output + ": starting fresh"));
                out.flush();
            }
            ComputationGraph network = resumed.map(CheckpointStore.Loaded::network)
                    .orElseGet(() -> job.networkFactory().newNetwork());
            TrainingLoop.RunInfo run = new TrainingLoop.RunInfo(job.recipe().epochs(), job.recipe().seed(), configHash,
                    configText, manifestId);
            ShardEvaluator evaluator = new ShardEvaluator(val, data.evalPipeline(batch, classes.size()), classes);

            ParameterServer server = null;
            EpochTrainer trainer;
            switch (ts.syncMode()) {
                case AERON_AVERAGING -> {
                    boolean local = sc.master().startsWith("local");
                    boolean ipc = ts.transport().equals("ipc") || (ts.transport().equals("auto") && local);
                    String host = ts.host().isBlank() ? sc.getConf().get("spark.driver.host", "127.0.0.1") : ts.host();
                    byte[] secret = new byte[32];
                    SecureRandom random = new SecureRandom();
                    random.nextBytes(secret);
                    JobSpec psJob = new JobSpec(random.nextLong(), secret, network.numParams(), ts.replicas(), ts.shards(),
                            JobSpec.DEFAULT_CHUNK_BYTES, ipc ? Channel.ipc() : Channel.udp(host, ts.port()));
                    String aeronDir = (Files.isDirectory(java.nio.file.Path.of("/dev/shm")) ? "/dev/shm" : System.getProperty("java.io.tmpdir"))
                            + "/alexnet-ps-" + UUID.randomUUID();
                    server = new ParameterServer(new ServerConfig(psJob, ts.quorum(), ts.roundTimeout(),
                            AeronSetup.embedded(aeronDir)), stats -> { }).start();
                    trainer = new AeronAveragingTrainer(sc, network, server, psJob, ipc ? aeronDir : null, train,
                            trainPipeline, classes, ts.tau(), job.recipe().seed(), ts.roundTimeout().multipliedBy(2));
                }
                case SPARK_AVERAGING -> trainer = new Dl4jMasterTrainer(sc, network,
                        new ParameterAveragingTrainingMaster.Builder(batch).batchSizePerWorker(batch)
                                .averagingFrequency(ts.tau()).workerPrefetchNumBatches(0)
                                .rddTrainingApproach(RDDTrainingApproach.Direct).build(),
                        epoch -> epochData(sc, train, trainPipeline, classes, ts.replicas(), job.recipe().seed(), epoch),
                        ts.replicas(), batch);
                case DL4J_GRADIENT_SHARING -> trainer = new Dl4jMasterTrainer(sc, network,
                        new SharedTrainingMaster.Builder(VoidConfiguration.builder()
                                .controllerAddress(sc.getConf().get("spark.driver.host", "127.0.0.1"))
                                .portSupplier(new StaticPortSupplier(ts.port())).build(), batch)
                                .batchSizePerWorker(batch).workersPerNode(1)
                                .rddTrainingApproach(RDDTrainingApproach.Direct)
                                .thresholdAlgorithm(new AdaptiveThresholdAlgorithm(1e-3)).build(),
                        epoch -> epochData(sc, train, trainPipeline, classes, ts.replicas(), job.recipe().seed(), epoch),
                        ts.replicas(), batch);
                default -> throw new IllegalStateException(ts.syncMode().toString());
            }
            try (ParameterServer closeServer = server; EpochTrainer closeTrainer = trainer) {
                new TrainingLoop(run, trainer, evaluator, job.recipe().newPolicy(), checkpoints, metrics, System.err)
                        .run(resumed.map(CheckpointStore.Loaded::state));

                Path modelDir = new Path(output, "model");
                fs.mkdirs(modelDir);
                try (FSDataOutputStream model = fs.create(new Path(modelDir, "model.zip"), true)) {
                    ModelSerializer.writeModel(trainer.network(), model, false);
                }
                EpochMetrics last = metrics.epochs().get(metrics.epochs().size() - 1);
                ModelCard card = new ModelCard("run", job.model().variant().configName(), classes.size(), manifestId,
                        manifestId + "/val", configHash, last.top1Error(), last.top5Error(), Instant.now().toString(), null);
                ManifestIO.writeJson(fs, hadoop, new Path(modelDir, "card.json"), card);
                java.nio.file.Path report = Files.createTempDirectory("alexnet-report");
                TrainingReport.write(report, "alexnet-spark: " + manifest.dataset() + ", " + ts.syncMode(), metrics.epochs());
                fs.copyFromLocalFile(true, true, new Path(report.toUri()), new Path(output, "report"));

                out.printf("trained %d epochs (%s, %d replicas): top-1 error %.2f%%, top-5 error %.2f%%%n",
                        last.epoch(), ts.syncMode(), ts.replicas(), 100 * last.top1Error(), 100 * last.top5Error());
                out.printf("model    %s%nmetrics  %s%nreport   %s%n", new Path(modelDir, "model.zip"), metrics.path(),
                        new Path(output, "report/report.html"));
                out.flush();
            }
        } finally {
            if (ownContext) {
                sc.stop();
            }
        }
        return 0;
    }

    /** The epoch's mini-batches as an RDD: the same shard deal as aeron-averaging, one partition per replica. */
    private static JavaRDD<DataSet> epochData(JavaSparkContext sc, List<ShardSource> shards, PipelineSettings pipeline,
                                              List<String> classes, int replicas, long seed, int epoch) {
        return sc.parallelize(ShardDeal.deal(shards, replicas, seed, epoch), replicas)
                .flatMap(new ShardDataSets(pipeline, classes, epoch));
    }
}
