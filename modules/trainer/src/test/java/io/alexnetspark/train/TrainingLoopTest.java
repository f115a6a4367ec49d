package io.alexnetspark.train;

import io.alexnetspark.LocalSpark;
import io.alexnetspark.TestNetworks;
import io.alexnetspark.model.train.PlateauSchedule;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.DataSet;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** The driver loop with DL4J's parameter averaging on real local Spark: epochs, checkpoints, metrics, resume. */
class TrainingLoopTest {

    @TempDir
    java.nio.file.Path tmp;

    private final JavaSparkContext sc = LocalSpark.context();
    private final List<DataSet> train = TestNetworks.randomBatches(8, 8, 3);
    private final List<DataSet> val = TestNetworks.randomBatches(2, 8, 4);

    private Dl4jMasterTrainer trainer(ComputationGraph net) {
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(8)
                .batchSizePerWorker(8).averagingFrequency(2).workerPrefetchNumBatches(0).build();
        return new Dl4jMasterTrainer(sc, net, master, epoch -> sc.parallelize(train, 2), 2, 8, 8L * 8);
    }

    private TrainingLoop loop(Dl4jMasterTrainer trainer, PlateauSchedule policy, int epochs, PrintStream out)
            throws IOException {
        Configuration hadoop = new Configuration();
        return new TrainingLoop(new TrainingLoop.RunInfo(epochs, 42, "hash", "conf", "manifest-1"), trainer,
                new SparkEvaluator(sc, () -> sc.parallelize(val, 2), TestNetworks.CLASSES, 8), policy,
                new CheckpointStore(new Path(tmp.toUri().toString(), "ckpt"), hadoop, 2),
                new MetricsLog(new Path(tmp.toUri().toString(), "metrics.jsonl"), hadoop), out);
    }

    @Test
    void trainsCheckpointsAndResumesAtTheSamePosition() throws Exception {
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(progress, true, StandardCharsets.UTF_8);
        PlateauSchedule first = new PlateauSchedule(0.01, 0.1, 1, 3, 0.0);
        Dl4jMasterTrainer t1 = trainer(TestNetworks.smallFactory().newNetwork());
        assertThat(loop(t1, first, 2, out).run(Optional.empty())).isEqualTo(2);
        assertThat(progress.toString(StandardCharsets.UTF_8)).contains("epoch 1/2").contains("epoch 2/2").contains("ETA");

        CheckpointStore store = new CheckpointStore(new Path(tmp.toUri().toString(), "ckpt"), new Configuration(), 2);
        CheckpointStore.Loaded latest = store.loadLatest().orElseThrow();
        assertThat(latest.state().epoch()).isEqualTo(2);
        assertThat(latest.network().params()).isEqualTo(t1.network().params());
        assertThat(latest.state().plateau()).isEqualTo(first.state());

        // A new driver resumes: it runs only epoch 3, from the saved parameters and schedule position.
        PlateauSchedule resumedPolicy = new PlateauSchedule(0.01, 0.1, 1, 3, 0.0);
        Dl4jMasterTrainer t2 = trainer(latest.network());
        loop(t2, resumedPolicy, 3, out).run(Optional.of(latest.state()));
        MetricsLog metrics = new MetricsLog(new Path(tmp.toUri().toString(), "metrics.jsonl"), new Configuration());
        assertThat(metrics.epochs()).extracting(EpochMetrics::epoch).containsExactly(1, 2, 3);
        assertThat(metrics.epochs().get(2).learningRate()).isEqualTo(first.rateForEpoch(2));
        assertThat(metrics.epochs()).allSatisfy(m -> {
            assertThat(m.top1Error()).isBetween(0.0, 1.0);
            assertThat(m.top5Error()).isLessThanOrEqualTo(m.top1Error());
            assertThat(m.imagesPerSecond()).isPositive();
        });
        assertThat(store.complete()).extracting(Path::getName).containsExactly("ckpt-000002", "ckpt-000003");
    }
}
