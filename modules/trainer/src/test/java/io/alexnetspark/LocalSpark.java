package io.alexnetspark;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One local[2] Spark context for all the tests of this JVM (Spark allows one per JVM, and each
 * start costs seconds), bound to loopback and stopped when the JVM exits.
 */
public final class LocalSpark {

    private static JavaSparkContext context;

    private LocalSpark() {
    }

    public static synchronized JavaSparkContext context() {
        if (context == null) {
            context = new JavaSparkContext(new SparkConf()
                    .setMaster("local[2]")
                    .setAppName("alexnet-spark-tests")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.ui.enabled", "false")
                    // As conf/spark-defaults.conf: task data and results go through Kryo, as on a cluster.
                    .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                    .set("spark.kryo.registrator", "io.alexnetspark.spark.AlexNetKryoRegistrator"));
            JavaSparkContext started = context;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-local-spark"));
        }
        return context;
    }
}
