package io.alexnetspark.train;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardSource;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;

import java.util.List;

/**
 * Evaluates on the validation shards in the driver (centre crop or ten crops, as the pipeline
 * says): top-1 and top-5 error and the loss. For validation sets that a driver reads in seconds;
 * ImageNet's 50,000 images want the distributed {@link SparkShardEvaluator}.
 */
public final class ShardEvaluator implements Evaluator {

    private final List<ShardSource> shards;
    private final PipelineSettings pipeline;
    private final List<String> classNames;

    public ShardEvaluator(List<ShardSource> shards, PipelineSettings pipeline, List<String> classNames) {
        this.shards = List.copyOf(shards);
        this.pipeline = pipeline;
        this.classNames = List.copyOf(classNames);
    }

    /** The summary figures and DL4J's full evaluation (per-class recall, confusion matrix). */
    public record Detailed(Result result, Evaluation evaluation) {
    }

    @Override
    public Result evaluate(ComputationGraph network) {
        return evaluateDetailed(network).result();
    }

    /** Evaluates, keeping the per-class figures. */
    public Detailed evaluateDetailed(ComputationGraph network) {
        ValidationPass.Partial p = new ValidationPass(pipeline, classNames).run(network, shards, new Configuration());
        return new Detailed(p.result(), p.evaluation());
    }
}
