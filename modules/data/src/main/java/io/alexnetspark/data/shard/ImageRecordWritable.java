package io.alexnetspark.data.shard;

import org.apache.hadoop.io.Text;
import org.apache.hadoop.io.Writable;
import org.apache.hadoop.io.WritableUtils;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The SequenceFile value of a shard record: label, wnid and the JPEG bytes (the key is the
 * record's {@link Text} key). The layout is deliberately simple so that a reader in another
 * language can parse it: vint label, Text wnid, vint length, bytes.
 */
public final class ImageRecordWritable implements Writable {
    /** Refuses absurd lengths from a corrupt file before allocating them. */
    static final int MAX_IMAGE_BYTES = 64 << 20;

    private int label;
    private final Text wnid = new Text();
    private byte[] jpeg = new byte[0];

    public ImageRecordWritable() {
    }

    void set(ImageRecord record) {
        label = record.label();
        wnid.set(record.wnid());
        jpeg = record.jpeg();
    }

    ImageRecord toRecord(String key) {
        return new ImageRecord(label, wnid.toString(), key, jpeg);
    }

    @Override
    public void write(DataOutput out) throws IOException {
        WritableUtils.writeVInt(out, label);
        wnid.write(out);
        WritableUtils.writeVInt(out, jpeg.length);
        out.write(jpeg);
    }

    @Override
    public void readFields(DataInput in) throws IOException {
        label = WritableUtils.readVInt(in);
        wnid.readFields(in);
        int n = WritableUtils.readVInt(in);
        if (n < 0 || n > MAX_IMAGE_BYTES || label < 0) {
            throw new IOException("implausible record (label " + label + ", " + n + " image bytes)");
        }
        // A fresh array per record: records are handed to other threads.
        jpeg = new byte[n];
        in.readFully(jpeg);
    }
}
