package io.alexnetspark.train.aeron;

import io.alexnetspark.LocalSpark;
import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.data.demo.FashionMnist;
import io.alexnetspark.data.ingest.Ingest;
import io.alexnetspark.data.ingest.IngestOptions;
import io.alexnetspark.data.layout.DatasetLayout;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.model.config.ConfigLoader;
import io.alexnetspark.model.config.JobSettings;
import io.alexnetspark.paramserver.Channel;
import io.alexnetspark.paramserver.JobSpec;
import io.alexnetspark.train.CheckpointStore;
import io.alexnetspark.train.EpochMetrics;
import io.alexnetspark.train.MetricsLog;
import io.alexnetspark.train.RecoverySettings;
import io.alexnetspark.train.Evaluator;
import io.alexnetspark.train.ShardEvaluator;
import io.alexnetspark.train.SparkShardEvaluator;
import io.alexnetspark.train.TrainingLoop;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The product's default sync mode end to end on local[2]: real Fashion-MNIST photos ingested into
 * shards, the demo's AlexNet-shaped network, two replicas in Spark barrier stages averaging every
 * tau mini-batches through the real Aeron parameter server (IPC), the driver loop's evaluation and
 * checkpoints. Validation accuracy must rise far above chance, and the replicas must hold the same
 * parameters after every epoch's last average.
 */
class AeronAveragingTrainerTest {

    @TempDir
    java.nio.file.Path tmp;

    @Test
    void twoReplicasLearnFashionMnistThroughTheAeronParameterServer() throws Exception {
        java.nio.file.Path project = java.nio.file.Path.of(System.getProperty("alexnet.project.dir", "../.."));
        JobSettings settings = new ConfigLoader().loadSettings(Optional.of(project.resolve("conf/demo.conf")),
                List.of("training.batch-size=32"));
        var config = new ConfigLoader().load(Optional.of(project.resolve("conf/demo.conf")), List.of("training.batch-size=32",
                "data.ingest.images-per-shard=250"));
        DataConfig data = DataConfig.from(config);

        // Real photos: 200 per class for training, 50 per class for validation.
        java.nio.file.Path idx = FashionMnist.fetch(
                java.nio.file.Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist"), System.err);
        FashionMnist.writeImageTree(idx, tmp.resolve("tree"), 200, 50);
        String root = tmp.resolve("shards").toUri().toString();
        Manifest manifest = Ingest.run(IngestOptions.builder(tmp.resolve("tree").toString(), root)
                .dataset("fmnist").layout(DatasetLayout.IMAGENET).preprocessing(data.preprocessing())
                .imagesPerShard(data.imagesPerShard()).seed(1).threads(2).conf(new Configuration()).build());
        List<String> classes = manifest.classNames();
        List<ShardSource> train = ShardSource.fromManifest(manifest, new Path(root), "train");
        List<ShardSource> val = ShardSource.fromManifest(manifest, new Path(root), "val");
        assertThat(train).hasSizeGreaterThanOrEqualTo(8);

        ComputationGraph network = settings.networkFactory().newNetwork();
        java.io.ByteArrayOutputStream progressBytes = new java.io.ByteArrayOutputStream();
        RoundProgress progress = new RoundProgress(new PrintStream(progressBytes, true, java.nio.charset.StandardCharsets.UTF_8), 3);
        ServerPlacement placement = new ServerPlacement.InDriver(new ServerPlacement.JobTemplate(network.numParams(), 1,
                Channel.ipc(), JobSpec.DEFAULT_MAC), true, new ServerPlacement.Quorum(2, 2, Duration.ofSeconds(60)));
        String aeronDir;
        try (AeronAveragingTrainer trainer = new AeronAveragingTrainer(LocalSpark.context(), network, placement,
                new AeronAveragingTrainer.Input(train, data.trainPipeline(32, classes.size()), classes, 7),
                new AeronAveragingTrainer.Averaging(4, Duration.ofSeconds(120), true), 2,
                new RecoverySettings(1, 0, Duration.ofSeconds(10), 2), progress, SparkSlots.of(LocalSpark.context().sc()))) {
            Configuration hadoop = new Configuration();
            MetricsLog metrics = new MetricsLog(new Path(tmp.toUri().toString(), "metrics.jsonl"), hadoop);
            TrainingLoop loop = new TrainingLoop(new TrainingLoop.RunInfo(3, 7, "h", "c", "fmnist"), trainer,
                    new ShardEvaluator(val, data.evalPipeline(50, classes.size()), classes),
                    settings.recipe().newPolicy(), new CheckpointStore(new Path(tmp.toUri().toString(), "ckpt"), hadoop, 2),
                    metrics, new PrintStream(System.err, true));
            loop.run(Optional.empty());
            aeronDir = trainer.serverAeronDir();

            List<ReplicaResult> replicas = trainer.lastResults();
            assertThat(replicas).hasSize(2);
            assertThat(replicas.get(0).paramsCrc()).isEqualTo(replicas.get(1).paramsCrc());
            assertThat(replicas.get(0).lastRound()).isEqualTo(trainer.latestRound());
            // The momentum was averaged in the epoch's last round but one, and came back to the driver:
            // non-zero, finite, and what the next epoch's replicas (and the checkpoint) start from.
            float[] momentum = replicas.get(0).momentum();
            assertThat(momentum).hasSize((int) network.numParams());
            assertThat(replicas.get(1).momentum()).isNull();
            double norm = 0;
            for (float v : momentum) {
                assertThat(Float.isFinite(v)).isTrue();
                norm += v * v;
            }
            assertThat(norm).isPositive();
            assertThat(network.getUpdater().getStateViewArray().toFloatVector()).containsExactly(momentum);
            assertThat(trainer.serverDrops().total()).isZero();

            // The driver's progress line follows the rounds the server closes; each epoch ends on its last round
            // (the parameter rounds plus the momentum round).
            String lines = progressBytes.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertThat(lines).as(lines).containsPattern("epoch 3/3  round (\\d+)/\\1  [0-9.]+ img/s  ETA 0s");
            assertThat(progress.epochSummary()).contains("rounds closed (0 by quorum").contains("0 messages dropped");
            // Evaluation on the executors gives the driver's numbers: same images, same crops, merged partials.
            Evaluator.Result inDriver = new ShardEvaluator(val, data.evalPipeline(50, classes.size()), classes)
                    .evaluate(trainer.network());
            Evaluator.Result onExecutors = new SparkShardEvaluator(LocalSpark.context(), val,
                    data.evalPipeline(50, classes.size()), classes, 2).evaluate(trainer.network());
            assertThat(onExecutors.images()).isEqualTo(inDriver.images()).isEqualTo(500);
            assertThat(onExecutors.top1Error()).isEqualTo(inDriver.top1Error());
            assertThat(onExecutors.top5Error()).isEqualTo(inDriver.top5Error());
            assertThat(onExecutors.loss()).isCloseTo(inDriver.loss(), org.assertj.core.data.Offset.offset(1e-5));
            List<EpochMetrics> epochs = metrics.epochs();
            assertThat(epochs).hasSize(3);
            // Ten classes: chance is 90% top-1 error. Three short epochs (28 SGD steps per replica each,
            // averaged every 4) bring it near 54% here; it must be far below chance and falling.
            assertThat(epochs.get(2).top1Error()).as("%s", epochs).isLessThan(0.65);
            assertThat(epochs.get(2).top1Error()).as("%s", epochs).isLessThan(epochs.get(0).top1Error());
            assertThat(epochs.get(2).averagingSeconds()).isPositive();
        }
        assertThat(Files.exists(java.nio.file.Path.of(aeronDir))).isFalse();
    }
}
