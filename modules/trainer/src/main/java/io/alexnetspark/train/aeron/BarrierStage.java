package io.alexnetspark.train.aeron;

import org.apache.spark.BarrierTaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * Spark's barrier execution mode from Java: {@code RDD.barrier()} exists only in the Scala API, so
 * this wraps a Java partition function into the Scala one {@code RDDBarrier.mapPartitions} takes.
 * All tasks of a barrier stage start together. Spark does not retry a failed barrier result
 * stage: {@link AeronAveragingTrainer} runs the epoch again itself.
 */
public final class BarrierStage {

    private BarrierStage() {
    }

    /**
     * The host of every task of the running barrier stage, by partition: where each replica (and,
     * with {@code paramserver.placement = executors}, its shard) runs.
     */
    public static List<String> taskHosts(BarrierTaskContext ctx) {
        return Arrays.stream(ctx.getTaskInfos()).map(info -> hostOf(info.address())).toList();
    }

    private static String hostOf(String address) {
        return address.contains(":") ? address.substring(0, address.lastIndexOf(':')) : address;
    }

    /** {@code rdd.barrier().mapPartitions(f)}. */
    public static <T, R> JavaRDD<R> mapPartitions(JavaRDD<T> rdd, FlatMapFunction<Iterator<T>, R> f) {
        @SuppressWarnings("unchecked")
        ClassTag<R> tag = (ClassTag<R>) ClassTag$.MODULE$.apply(Object.class);
        RDD<R> out = rdd.rdd().barrier().mapPartitions(new PartitionFunction<>(f), false, tag);
        return new JavaRDD<>(out, tag);
    }

    private static final class PartitionFunction<T, R>
            extends AbstractFunction1<scala.collection.Iterator<T>, scala.collection.Iterator<R>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final FlatMapFunction<Iterator<T>, R> f;

        PartitionFunction(FlatMapFunction<Iterator<T>, R> f) {
            this.f = f;
        }

        @Override
        @SuppressWarnings("deprecation") // JavaConverters is what Scala 2.12 has
        public scala.collection.Iterator<R> apply(scala.collection.Iterator<T> partition) {
            try {
                Iterator<R> out = f.call(JavaConverters.asJavaIteratorConverter(partition).asJava());
                return JavaConverters.asScalaIteratorConverter(out).asScala();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
        }
    }
}
