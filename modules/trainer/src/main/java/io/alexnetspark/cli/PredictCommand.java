package io.alexnetspark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.data.image.BadImageException;
import io.alexnetspark.data.image.Preprocessor;
import io.alexnetspark.data.pipeline.ImageTransform;
import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.train.ImageClassifier;
import io.alexnetspark.train.ModelBundle;
import io.alexnetspark.train.ModelRegistry;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Top-k classes of single images. */
@Command(name = "predict", mixinStandardHelpOptions = true,
        description = {"Classify images with a trained model: the top classes with their names and probabilities.",
                "Images go through the ingest's preprocessing and the evaluation crop(s) of the configuration",
                "(data.pipeline.eval = centre | ten-crop). Exit code 1 if any image could not be read."})
final class PredictCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    static final class ModelSource {
        @Option(names = "--model", paramLabel = "URI",
                description = "model.zip, or a folder with model.zip + card.json (a run's model/ or a registry version).")
        String model;

        @Option(names = "--registry", paramLabel = "URI", description = "Use the production model of this registry.")
        String registry;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    ModelSource source;

    @Option(names = "--top", defaultValue = "5", description = "Classes per image (default: ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--json", description = "One JSON line per image instead of text.")
    boolean json;

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files (paths or Hadoop URIs).")
    List<String> images;

    @Override
    public Integer call() throws Exception {
        if (top < 1) {
            throw new InvalidConfigException("--top", "must be at least 1, got " + top);
        }
        DataConfig data = DataConfig.from(config.load(List.of()));
        Configuration hadoop = new Configuration();
        Path location;
        if (source.registry != null) {
            ModelRegistry registry = new ModelRegistry(new Path(source.registry), hadoop);
            location = registry.production().orElseThrow(() -> new InvalidConfigException("--registry",
                    source.registry + " has no production model yet")).path();
        } else {
            location = new Path(source.model);
        }
        ModelBundle bundle = ModelBundle.load(location, hadoop);
        List<String> names = bundle.card() != null && bundle.card().classNames() != null
                ? bundle.card().classNames() : List.of();
        ImageClassifier classifier = new ImageClassifier(bundle.network(), names, new Preprocessor(data.preprocessing()),
                new ImageTransform(data.evalTransform()));

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper mapper = new ObjectMapper();
        int failed = 0;
        for (String image : images) {
            List<ImageClassifier.Prediction> predictions;
            try {
                predictions = classifier.top(read(new Path(image), hadoop), top);
            } catch (BadImageException | IOException e) {
                failed++;
                err.printf("%s: skipped: %s%n", image, e.getMessage());
                err.flush();
                continue;
            }
            if (json) {
                ObjectNode line = mapper.createObjectNode().put("image", image);
                ArrayNode list = line.putArray("top");
                for (ImageClassifier.Prediction p : predictions) {
                    list.addObject().put("label", p.label()).put("name", p.name()).put("probability", p.probability());
                }
                out.println(mapper.writeValueAsString(line));
            } else {
                out.println(image);
                for (ImageClassifier.Prediction p : predictions) {
                    out.printf(Locale.ROOT, "  %6.2f%%  %s (%d)%n", 100 * p.probability(), p.name(), p.label());
                }
            }
            out.flush();
        }
        return failed == 0 ? 0 : 1;
    }

    private static byte[] read(Path path, Configuration hadoop) throws IOException {
        try (FSDataInputStream in = path.getFileSystem(hadoop).open(path)) {
            return in.readAllBytes();
        }
    }
}
