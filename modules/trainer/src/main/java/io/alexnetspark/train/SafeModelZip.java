package io.alexnetspark.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Loads a DL4J model zip from storage without Java deserialization: only the configuration JSON,
 * the parameters and the updater state (ND4J's array format) are read, and a zip with anything
 * else is refused. DL4J's own {@link ModelSerializer#restoreComputationGraph} reads
 * {@code preprocessor.bin} with an {@link java.io.ObjectInputStream}, so a model file someone
 * could write to becomes code that runs in every job that loads it.
 */
public final class SafeModelZip {

    private static final Set<String> LOADED = Set.of(ModelSerializer.CONFIGURATION_JSON, ModelSerializer.COEFFICIENTS_BIN,
            ModelSerializer.UPDATER_BIN, ModelSerializer.NO_PARAMS_MARKER);

    private SafeModelZip() {
    }

    /**
     * Reads the model from {@code in} (not closed; read to the end of the zip).
     *
     * @param loadUpdater also restore the updater's state (momentum), as a checkpoint needs
     * @throws IOException if the zip holds an entry that is not configuration or arrays, or no model
     */
    public static ComputationGraph read(InputStream in, boolean loadUpdater) throws IOException {
        Map<String, byte[]> entries = new HashMap<>();
        ZipInputStream zip = new ZipInputStream(in);
        for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
            if (!LOADED.contains(e.getName())) {
                throw new IOException("refused a model zip with the entry '" + e.getName() + "': only "
                        + String.join(", ", new java.util.TreeSet<>(LOADED)) + " are loaded (DL4J would read entries such as "
                        + ModelSerializer.PREPROCESSOR_BIN + " or objects/ with Java deserialization)");
            }
            entries.put(e.getName(), zip.readAllBytes());
        }
        byte[] json = entries.get(ModelSerializer.CONFIGURATION_JSON);
        byte[] coefficients = entries.get(ModelSerializer.COEFFICIENTS_BIN);
        if (json == null || (coefficients == null || coefficients.length == 0) && !entries.containsKey(ModelSerializer.NO_PARAMS_MARKER)) {
            throw new IOException("not a model zip: it needs " + ModelSerializer.CONFIGURATION_JSON + " and "
                    + ModelSerializer.COEFFICIENTS_BIN);
        }
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(new String(json, StandardCharsets.UTF_8));
        INDArray params = coefficients == null || coefficients.length == 0 ? null : array(coefficients);
        if (params != null) {
            conf.setDataType(params.dataType());
        }
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init(params, false);
        byte[] updater = entries.get(ModelSerializer.UPDATER_BIN);
        if (loadUpdater && updater != null) {
            graph.getUpdater().setStateViewArray(array(updater));
        }
        return graph;
    }

    private static INDArray array(byte[] bytes) throws IOException {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            return Nd4j.read(in);
        }
    }
}
