package io.alexnetspark.spark;

import com.esotericsoftware.kryo.Kryo;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.kryo.Nd4jRegistrator;

/**
 * Spark's Kryo set-up for this job ({@code spark.kryo.registrator} in conf/spark-defaults.conf):
 * ND4J's serializers for arrays and DataSets, plus Java serialization for the two kinds of object
 * Kryo 4 (Spark's) cannot rebuild: Java records (no no-argument constructor; our shard lists,
 * replica results and evaluation partials are records) and the JDK's immutable collections
 * ({@code List.of}). Without it, a barrier stage fails with "Unable to create serializer
 * FieldSerializer for class ...ShardSource" as soon as Kryo is the serializer.
 */
public final class AlexNetKryoRegistrator implements KryoRegistrator {

    private static final String[] JDK_IMMUTABLE = {"java.util.ImmutableCollections$AbstractImmutableList",
            "java.util.ImmutableCollections$AbstractImmutableSet", "java.util.ImmutableCollections$AbstractImmutableMap"};

    /**
     * Kryo with this registrator, unless the configuration already chose a serializer: what
     * conf/spark-defaults.conf sets for spark-submit, for the contexts the job creates itself.
     */
    public static SparkConf applyTo(SparkConf conf) {
        return conf.setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .setIfMissing("spark.kryo.registrator", AlexNetKryoRegistrator.class.getName());
    }

    @Override
    public void registerClasses(Kryo kryo) {
        new Nd4jRegistrator().registerClasses(kryo);
        kryo.addDefaultSerializer(Record.class, JavaSerializationForKryo.class);
        for (String name : JDK_IMMUTABLE) {
            try {
                kryo.addDefaultSerializer(Class.forName(name), JavaSerializationForKryo.class);
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("this JDK has no " + name + "; update " + getClass().getName(), e);
            }
        }
    }
}
