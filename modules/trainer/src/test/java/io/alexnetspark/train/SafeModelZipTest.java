package io.alexnetspark.train;

import io.alexnetspark.TestNetworks;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeModelZipTest {

    @TempDir
    java.nio.file.Path tmp;

    /** Set when a {@link Gadget} is deserialized: what a gadget chain would do instead. */
    static final AtomicBoolean DESERIALIZED = new AtomicBoolean();

    /** A serialized object that runs code when read, as a gadget chain's first link does. */
    static final class Gadget implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(java.io.ObjectInputStream in) throws java.io.IOException, ClassNotFoundException {
            in.defaultReadObject();
            DESERIALIZED.set(true);
        }
    }

    @Test
    void aModelLoadsItsParametersAndUpdaterStateWithoutJavaDeserialization() throws Exception {
        ComputationGraph net = TestNetworks.smallFactory().newNetwork();
        net.fit(TestNetworks.randomBatches(1, 8, 1).get(0));
        java.nio.file.Path zip = tmp.resolve("model.zip");
        ModelSerializer.writeModel(net, zip.toFile(), true);
        try (var in = Files.newInputStream(zip)) {
            ComputationGraph loaded = SafeModelZip.read(in, true);
            assertThat(loaded.params()).isEqualTo(net.params());
            assertThat(loaded.getUpdater().getStateViewArray()).isEqualTo(net.getUpdater().getStateViewArray());
            assertThat(loaded.getConfiguration().toJson()).isEqualTo(net.getConfiguration().toJson());
        }
    }

    @Test
    void aZipWithASerializedObjectEntryIsRefusedUnread() throws Exception {
        ComputationGraph net = TestNetworks.smallFactory().newNetwork();
        java.nio.file.Path clean = tmp.resolve("clean.zip");
        ModelSerializer.writeModel(net, clean.toFile(), false);
        java.nio.file.Path dir = Files.createDirectories(tmp.resolve("model"));
        java.nio.file.Path hostile = dir.resolve("model.zip");
        // The model as DL4J wrote it, plus a preprocessor.bin that DL4J reads with ObjectInputStream.
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(clean));
             ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(hostile))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new ZipEntry(e.getName()));
                in.transferTo(out);
            }
            out.putNextEntry(new ZipEntry(ModelSerializer.PREPROCESSOR_BIN));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
                oos.writeObject(new Gadget());
            }
            out.write(bytes.toByteArray());
        }
        assertThatThrownBy(() -> ModelBundle.load(new Path(dir.toUri().toString()), new Configuration()))
                .hasMessageContaining("refused a model zip with the entry 'preprocessor.bin'");
        assertThat(DESERIALIZED).as("nothing was deserialized").isFalse();
        // DL4J's own loader runs it: the reason for SafeModelZip.
        try {
            ModelSerializer.restoreComputationGraph(hostile.toFile(), false);
        } catch (RuntimeException ignored) {
            // ClassCastException after the object was read
        }
        assertThat(DESERIALIZED).as("DL4J's ModelSerializer deserializes preprocessor.bin").isTrue();
    }
}
