package io.alexnetspark.ingest;

import io.alexnetspark.data.image.PreprocessSettings;
import io.alexnetspark.data.ingest.Ingest;
import io.alexnetspark.data.ingest.IngestOptions;
import io.alexnetspark.data.ingest.Progress;
import io.alexnetspark.data.ingest.ShardResult;
import io.alexnetspark.data.ingest.ShardTask;
import io.alexnetspark.data.ingest.ShardTaskRunner;
import io.alexnetspark.data.manifest.Manifest;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.util.LongAccumulator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ingestion as a Spark job: the driver scans the input and plans the shards ({@link Ingest#plan}),
 * each {@link ShardTask} becomes one Spark task (one partition each) that runs
 * {@link ShardTaskRunner} in an executor and writes its shard and result file, the results are
 * collected, and the driver writes the manifest ({@link Ingest#finish}). Everything that makes the
 * local ingestion resumable holds here too: a task reuses a finished, verified shard, and a failed
 * or retried task only ever replaces its own shard (atomic rename), so Spark's task retries and
 * speculative copies are harmless.
 *
 * <p>Progress: each task adds to three accumulators (shards done, reused, images) when it ends; a
 * driver thread prints them once a second, as the local ingestion's progress line.
 */
public final class SparkIngest {
    private SparkIngest() {
    }

    /**
     * Runs on the active SparkContext, or on a new one (master {@code local[threads]} unless
     * {@code spark.master} is set) that is stopped afterwards. A running context is never stopped.
     */
    public static Manifest run(IngestOptions o, Ingest.Plan plan) throws IOException {
        SparkConf conf = new SparkConf().setAppName("alexnet-spark ingest")
                .setIfMissing("spark.master", "local[" + o.threads() + "]");
        boolean own = SparkContext$.MODULE$.getActive().isEmpty();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkContext.getOrCreate(conf));
        try {
            return run(sc, o, plan);
        } finally {
            if (own) {
                sc.stop();
            }
        }
    }

    /** Whether a Spark master is configured (spark-submit sets the system property) or a context is running. */
    public static boolean sparkMasterSet() {
        return System.getProperty("spark.master") != null || SparkContext$.MODULE$.getActive().isDefined();
    }

    /** Runs the plan's tasks on {@code sc}, one Spark task per shard, and writes the manifest. */
    public static Manifest run(JavaSparkContext sc, IngestOptions o, Ingest.Plan plan) throws IOException {
        List<ShardTask> tasks = plan.allTasks();
        Map<String, List<ShardResult>> results = new LinkedHashMap<>();
        plan.tasks().keySet().forEach(split -> results.put(split, new ArrayList<>()));
        if (tasks.isEmpty()) {
            return Ingest.finish(o, plan, results);
        }
        LongAccumulator shards = sc.sc().longAccumulator("ingest: shards done");
        LongAccumulator reused = sc.sc().longAccumulator("ingest: shards reused");
        LongAccumulator images = sc.sc().longAccumulator("ingest: images");
        Progress progress = new Progress(o.progress(), plan.totalImages(), plan.totalShards());
        Thread reporter = new Thread(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    progress.totals(shards.value(), reused.value(), images.value());
                    Thread.sleep(500);
                }
            } catch (InterruptedException e) {
                // the job ended
            }
        }, "spark-ingest-progress");
        reporter.setDaemon(true);
        reporter.start();

        List<ShardResult> collected;
        sc.setJobGroup("alexnet-ingest", "ingest " + plan.totalShards() + " shards into " + plan.root(), false);
        try {
            collected = sc.parallelize(tasks, tasks.size())
                    .map(new RunTask(plan.root().toString(), new SerializableHadoopConf(o.conf()), o.preprocessing(),
                            shards, reused, images))
                    .collect();
        } finally {
            sc.clearJobGroup();
            reporter.interrupt();
            try {
                reporter.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            progress.totals(shards.value(), reused.value(), images.value());
            progress.finish();
        }
        // collect() keeps partition order, which is the plan's order: split after split, shard by shard.
        int i = 0;
        for (Map.Entry<String, List<ShardTask>> e : plan.tasks().entrySet()) {
            for (int k = 0; k < e.getValue().size(); k++) {
                results.get(e.getKey()).add(collected.get(i++));
            }
        }
        return Ingest.finish(o, plan, results);
    }

    /** The executor side: one shard task. */
    private static final class RunTask implements Function<ShardTask, ShardResult> {
        private static final long serialVersionUID = 1L;
        private final String root;
        private final SerializableHadoopConf conf;
        private final PreprocessSettings settings;
        private final LongAccumulator shards;
        private final LongAccumulator reused;
        private final LongAccumulator images;

        RunTask(String root, SerializableHadoopConf conf, PreprocessSettings settings, LongAccumulator shards,
                LongAccumulator reused, LongAccumulator images) {
            this.root = root;
            this.conf = conf;
            this.settings = settings;
            this.shards = shards;
            this.reused = reused;
            this.images = images;
        }

        @Override
        public ShardResult call(ShardTask task) throws Exception {
            ShardResult r = new ShardTaskRunner(new Path(root), conf.get(), settings).run(task, images::add);
            shards.add(1);
            if (r.reused()) {
                reused.add(1);
            }
            return r;
        }
    }
}
