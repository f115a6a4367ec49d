package io.alexnetspark.train;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardSource;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;

/**
 * Evaluation spread over the executors: the validation shards are dealt to Spark tasks, each task
 * rebuilds the network from the broadcast configuration and parameters, runs a
 * {@link ValidationPass} over its shards, and the driver merges the partial results. The numbers
 * are those {@link ShardEvaluator} gives in the driver; only where the work runs differs. This is
 * what an ImageNet-size validation set (50,000 images) needs.
 */
public final class SparkShardEvaluator implements Evaluator {

    private final JavaSparkContext sc;
    private final List<ShardSource> shards;
    private final PipelineSettings pipeline;
    private final List<String> classNames;
    private final int tasks;

    /**
     * @param tasks how many Spark tasks share the shards (at most one per shard)
     */
    public SparkShardEvaluator(JavaSparkContext sc, List<ShardSource> shards, PipelineSettings pipeline,
                               List<String> classNames, int tasks) {
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        this.sc = sc;
        this.shards = List.copyOf(shards);
        this.pipeline = pipeline;
        this.classNames = List.copyOf(classNames);
        this.tasks = Math.max(1, Math.min(tasks, shards.size()));
    }

    @Override
    public Result evaluate(ComputationGraph network) {
        List<List<ShardSource>> groups = ShardDeal.roundRobin(shards, tasks);
        String json = network.getConfiguration().toJson();
        Broadcast<float[]> params = sc.broadcast(network.params().toFloatVector());
        PipelineSettings settings = pipeline;
        List<String> names = classNames;
        sc.setJobDescription(String.format("validation: %d shards on %d tasks", shards.size(), tasks));
        try {
            ValidationPass.Partial total = sc.parallelize(groups, tasks).map(group -> {
                DevicePinning.pinCurrentThread(TaskContext.get());
                ComputationGraph net = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
                net.init(Nd4j.create(params.value()), false);
                return new ValidationPass(settings, names).run(net, group, new Configuration());
            }).reduce(ValidationPass.Partial::merge);
            return total.result();
        } finally {
            params.destroy();
        }
    }
}
