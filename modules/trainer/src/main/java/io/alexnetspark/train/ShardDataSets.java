package io.alexnetspark.train;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.nd4j.linalg.dataset.DataSet;

import java.util.Iterator;
import java.util.List;

/**
 * A partition's shards as mini-batches, for DL4J's training masters, which take an RDD of
 * DataSets: the same pipeline (decoding, augmentation) the aeron-averaging replicas stream.
 */
public final class ShardDataSets implements FlatMapFunction<List<ShardSource>, DataSet> {

    private static final long serialVersionUID = 1L;

    private final PipelineSettings pipeline;
    private final List<String> classNames;
    private final int epoch;

    public ShardDataSets(PipelineSettings pipeline, List<String> classNames, int epoch) {
        this.pipeline = pipeline;
        this.classNames = List.copyOf(classNames);
        this.epoch = epoch;
    }

    @Override
    public Iterator<DataSet> call(List<ShardSource> shards) {
        ShardBatchIterator it = new ShardBatchIterator(shards, new Configuration(), pipeline, classNames);
        it.setEpoch(epoch);
        return it;
    }
}
