package io.alexnetspark;

import io.alexnetspark.spark.AlexNetKryoRegistrator;
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
            // Kryo as on a cluster (conf/spark-defaults.conf): task data and results go through it.
            context = new JavaSparkContext(AlexNetKryoRegistrator.applyTo(new SparkConf()
                    .setMaster("local[2]")
                    .setAppName("alexnet-spark-tests")
                    .set("spark.driver.host", "127.0.0.1")
                    .set("spark.driver.bindAddress", "127.0.0.1")
                    .set("spark.ui.enabled", "false")));
            JavaSparkContext started = context;
            Runtime.getRuntime().addShutdownHook(new Thread(started::stop, "stop-local-spark"));
        }
        return context;
    }
}
