package io.alexnetspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.dataset.DataSet;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Distributed evaluation on Spark: top-1 and top-5 error and the loss, over an RDD of validation
 * mini-batches, with the network's current parameters broadcast to the executors.
 */
public final class SparkEvaluator implements Evaluator {

    private final JavaSparkContext sc;
    private final Supplier<JavaRDD<DataSet>> validation;
    private final int classes;
    private final int batchSize;

    public SparkEvaluator(JavaSparkContext sc, Supplier<JavaRDD<DataSet>> validation, int classes, int batchSize) {
        this.sc = sc;
        this.validation = validation;
        this.classes = classes;
        this.batchSize = batchSize;
    }

    @Override
    public Result evaluate(ComputationGraph network) {
        SparkComputationGraph spark = new SparkComputationGraph(sc, network, null);
        JavaRDD<DataSet> data = validation.get();
        List<String> labels = IntStream.range(0, classes).mapToObj(Integer::toString).collect(Collectors.toList());
        Evaluation eval = spark.doEvaluation(data, batchSize, new Evaluation(labels, Math.min(5, classes)))[0];
        double loss = spark.calculateScore(data, true);
        return new Result(loss, 1.0 - eval.accuracy(), 1.0 - eval.topNAccuracy(), eval.getNumRowCounter());
    }
}
