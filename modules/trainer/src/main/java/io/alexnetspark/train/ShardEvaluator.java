package io.alexnetspark.train;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;

/**
 * Evaluates on the validation shards in the driver (centre crops): top-1 and top-5 error and the
 * loss. For validation sets that a driver reads in seconds; ImageNet's 50,000 images want the
 * distributed {@link SparkEvaluator}.
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
        Evaluation eval = new Evaluation(classNames, Math.min(5, classNames.size()));
        double lossSum = 0;
        long images = 0;
        try (ShardBatchIterator data = new ShardBatchIterator(shards, new Configuration(), pipeline, classNames)) {
            while (data.hasNext()) {
                DataSet batch = data.next();
                eval.eval(batch.getLabels(), network.outputSingle(false, batch.getFeatures()));
                lossSum += network.score(batch, false) * batch.numExamples();
                images += batch.numExamples();
            }
        }
        return new Detailed(new Result(images == 0 ? Double.NaN : lossSum / images, 1.0 - eval.accuracy(),
                1.0 - eval.topNAccuracy(), images), eval);
    }
}
