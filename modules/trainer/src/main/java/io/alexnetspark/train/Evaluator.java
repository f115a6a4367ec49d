package io.alexnetspark.train;

import org.deeplearning4j.nn.graph.ComputationGraph;

/** Measures a network on the validation set. */
public interface Evaluator {

    /** Validation figures. */
    record Result(double loss, double top1Error, double top5Error, long images) {
    }

    Result evaluate(ComputationGraph network) throws Exception;
}
