package io.alexnetspark.data.shard;

import org.apache.hadoop.io.SequenceFile;
import org.apache.hadoop.io.Text;

import java.util.HexFormat;

/** Constants of the shard format (a Hadoop SequenceFile of Text key -> {@link ImageRecordWritable}). */
public final class ShardFormat {
    /** File suffix of a shard. */
    public static final String SUFFIX = ".seq";
    /** Stored in every shard's SequenceFile metadata; bump when the record layout changes. */
    public static final String VERSION = "alexnet-spark-shard-1";
    static final Text VERSION_KEY = new Text("alexnet.shard.format");
    /** JPEG is already compressed: compressing again costs CPU and gains nothing. */
    static final SequenceFile.CompressionType COMPRESSION = SequenceFile.CompressionType.NONE;

    private ShardFormat() {
    }

    /** The conventional name of shard {@code index} of {@code count} in {@code split}. */
    public static String shardName(String split, int index, int count) {
        return String.format("%s-%05d-of-%05d%s", split, index, count, SUFFIX);
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }
}
