package io.alexnetspark.train;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import org.apache.hadoop.conf.Configuration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.io.Serializable;
import java.util.List;

/**
 * One pass of a network over some validation shards, as the paper evaluates: the softmax
 * outputs of an image's views (one centre crop, or ten crops) are averaged before its top-1 and
 * top-5 are read. The loss is the cross-entropy of that averaged prediction (no weight-decay term),
 * so the figure means the same with one view or ten.
 *
 * <p>The result is a {@link Partial}: partials of disjoint shard sets merge, which is how the
 * Spark evaluator adds up its executors' work.
 */
public final class ValidationPass {

    /** Floor for probabilities inside the log: a confident wrong answer costs -log(1e-7), not infinity. */
    private static final double MIN_PROBABILITY = 1e-7;

    private final PipelineSettings pipeline;
    private final List<String> classNames;

    public ValidationPass(PipelineSettings pipeline, List<String> classNames) {
        this.pipeline = pipeline;
        this.classNames = List.copyOf(classNames);
    }

    /** Mergeable figures of a pass over some of the validation shards. */
    public record Partial(Evaluation evaluation, double lossSum, long images) implements Serializable {

        /** The sum of two passes over disjoint shards. */
        public Partial merge(Partial other) {
            Evaluation merged = new Evaluation(evaluation.getLabelsList(), evaluation.getTopN());
            merged.merge(evaluation);
            merged.merge(other.evaluation);
            return new Partial(merged, lossSum + other.lossSum, images + other.images);
        }

        public Evaluator.Result result() {
            return new Evaluator.Result(images == 0 ? Double.NaN : lossSum / images, 1.0 - evaluation.accuracy(),
                    1.0 - evaluation.topNAccuracy(), images);
        }
    }

    /** An empty partial for these classes: the identity of {@link Partial#merge}. */
    public Partial empty() {
        return new Partial(newEvaluation(), 0, 0);
    }

    /** Runs the network over the shards with the pipeline's evaluation crops. */
    public Partial run(ComputationGraph network, List<ShardSource> shards, Configuration hadoop) {
        int views = pipeline.transform().mode().viewsPerImage();
        Evaluation eval = newEvaluation();
        double lossSum = 0;
        long images = 0;
        try (ShardBatchIterator data = new ShardBatchIterator(shards, hadoop, pipeline, classNames)) {
            while (data.hasNext()) {
                DataSet batch = data.next();
                INDArray probabilities = averageViews(network.outputSingle(false, batch.getFeatures()), views);
                INDArray labels = firstView(batch.getLabels(), views);
                eval.eval(labels, probabilities);
                INDArray logs = Transforms.log(Transforms.max(probabilities, MIN_PROBABILITY, true), false);
                lossSum -= logs.muli(labels).sumNumber().doubleValue();
                images += labels.rows();
            }
        }
        return new Partial(eval, lossSum, images);
    }

    /** Rows come image-major ({@code views} consecutive rows per image): their mean per image. */
    static INDArray averageViews(INDArray rows, int views) {
        if (views == 1) {
            return rows;
        }
        long images = rows.rows() / views;
        return rows.reshape('c', images, views, rows.columns()).mean(1);
    }

    private static INDArray firstView(INDArray labels, int views) {
        if (views == 1) {
            return labels;
        }
        return labels.get(NDArrayIndex.interval(0, views, labels.rows()), NDArrayIndex.all()).dup();
    }

    private Evaluation newEvaluation() {
        return new Evaluation(classNames, Math.min(5, classNames.size()));
    }
}
