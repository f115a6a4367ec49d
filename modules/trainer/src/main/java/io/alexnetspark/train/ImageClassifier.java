package io.alexnetspark.train;

import io.alexnetspark.data.image.BadImageException;
import io.alexnetspark.data.image.ImageDecoder;
import io.alexnetspark.data.image.Preprocessor;
import io.alexnetspark.data.pipeline.ImageTransform;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Classifies single images exactly as the job trains and evaluates on them: the ingest's
 * preprocessing (shorter side to 256, centre 256x256, JPEG re-encode), then the evaluation
 * crop(s), then the network; with ten crops the softmax outputs are averaged, as in the paper.
 */
public final class ImageClassifier {

    private final ComputationGraph network;
    private final List<String> classNames;
    private final Preprocessor preprocessor;
    private final ImageTransform transform;

    /** One class and its probability. */
    public record Prediction(int label, String name, double probability) {
    }

    public ImageClassifier(ComputationGraph network, List<String> classNames, Preprocessor preprocessor,
                           ImageTransform transform) {
        this.network = network;
        this.classNames = List.copyOf(classNames);
        this.preprocessor = preprocessor;
        this.transform = transform;
    }

    /**
     * The {@code k} most probable classes, most probable first.
     *
     * @throws BadImageException when the bytes are not an image the ingest would accept
     */
    public List<Prediction> top(byte[] imageBytes, int k) throws BadImageException {
        byte[] stored = preprocessor.process(imageBytes).jpeg();
        int views = transform.settings().mode().viewsPerImage();
        int size = transform.exampleSize();
        float[] features = new float[views * size];
        transform.apply(ImageDecoder.decode(stored).image(), new Random(0), features, 0);
        INDArray input = Nd4j.create(features, new long[] {views, 3, transform.settings().cropHeight(),
                transform.settings().cropWidth()});
        INDArray probabilities = ValidationPass.averageViews(network.outputSingle(false, input), views);
        List<Prediction> all = new ArrayList<>();
        for (int c = 0; c < probabilities.columns(); c++) {
            all.add(new Prediction(c, c < classNames.size() ? classNames.get(c) : Integer.toString(c),
                    probabilities.getDouble(0, c)));
        }
        all.sort(Comparator.comparingDouble(Prediction::probability).reversed());
        return all.subList(0, Math.min(k, all.size()));
    }
}
