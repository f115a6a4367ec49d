package io.alexnetspark.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.io.IOException;
import java.io.InputStream;

/**
 * A trained model as the job writes it: {@code model.zip} (DL4J's format) and {@code card.json}
 * beside it, in a run's {@code model/} folder or a registry version's folder.
 */
public record ModelBundle(ComputationGraph network, ModelCard card, Path modelFile) {

    /**
     * Loads from a folder holding model.zip + card.json, or from a model.zip whose folder holds
     * card.json; any Hadoop URI.
     */
    public static ModelBundle load(Path location, Configuration hadoop) throws IOException {
        FileSystem fs = location.getFileSystem(hadoop);
        if (!fs.exists(location)) {
            throw new IOException("no model at " + location);
        }
        Path model = fs.getFileStatus(location).isDirectory() ? new Path(location, "model.zip") : location;
        Path cardFile = new Path(model.getParent(), "card.json");
        if (!fs.exists(model)) {
            throw new IOException("no model.zip in " + location);
        }
        ModelCard card = null;
        if (fs.exists(cardFile)) {
            try (FSDataInputStream in = fs.open(cardFile)) {
                card = new ObjectMapper().readValue((InputStream) in, ModelCard.class);
            }
        }
        ComputationGraph network;
        try (FSDataInputStream in = fs.open(model)) {
            network = SafeModelZip.read(in, false);
        }
        return new ModelBundle(network, card, model);
    }

    /** The number of outputs of the network's (only) output layer. */
    public long outputs() {
        return network.getOutputLayer(0).getParam("b").length();
    }
}
