package io.alexnetspark.train;

import io.alexnetspark.data.pipeline.PipelineSettings;
import io.alexnetspark.data.pipeline.ShardBatchIterator;
import io.alexnetspark.data.pipeline.ShardSource;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.TaskCompletionListener;
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

    /**
     * The partition's batches. The pipeline's decoder and reader threads stop when the last batch
     * has been taken, or when the task ends (failed or cancelled midway), whichever comes first.
     */
    @Override
    public Iterator<DataSet> call(List<ShardSource> shards) {
        ShardBatchIterator it = new ShardBatchIterator(shards, new Configuration(), pipeline, classNames);
        it.setEpoch(epoch);
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((TaskCompletionListener) done -> it.close());
        }
        return new ClosingAtEnd(it);
    }

    /** Closes the iterator once it has no more batches. */
    private static final class ClosingAtEnd implements Iterator<DataSet> {
        private final ShardBatchIterator batches;
        private boolean closed;

        ClosingAtEnd(ShardBatchIterator batches) {
            this.batches = batches;
        }

        @Override
        public boolean hasNext() {
            if (closed) {
                return false;
            }
            if (batches.hasNext()) {
                return true;
            }
            closed = true;
            batches.close();
            return false;
        }

        @Override
        public DataSet next() {
            if (!hasNext()) {
                throw new java.util.NoSuchElementException();
            }
            return batches.next();
        }
    }
}
