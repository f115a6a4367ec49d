package io.alexnetspark.cli;

import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.train.ModelBundle;
import io.alexnetspark.train.ShardEvaluator;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.ConfusionMatrix;
import org.nd4j.evaluation.classification.Evaluation;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** Evaluates a trained model on a split of an ingested dataset. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {"Evaluate a model (model.zip from `train`) on a split of an ingested dataset: top-1 and top-5",
                "error, loss, per-class accuracy and the most confused class pairs. Centre crops, as configured."})
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--model", required = true, paramLabel = "URI", description = "model.zip, or a folder holding it (a run's model/, a registry version); any Hadoop URI.")
    String model;

    @Option(names = "--data", required = true, paramLabel = "URI", description = "The dataset root that `ingest` wrote.")
    String data;

    @Option(names = "--split", defaultValue = "val", description = "The split to evaluate (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--confused", defaultValue = "5", description = "How many most-confused class pairs to list (default: ${DEFAULT-VALUE}).")
    int confused;

    @Override
    public Integer call() throws Exception {
        DataConfig dataConfig = DataConfig.from(config.load(List.of()));
        Configuration hadoop = new Configuration();
        Path root = new Path(data);
        Manifest manifest = ManifestIO.read(root.getFileSystem(hadoop), root);
        List<String> classes = manifest.classNames();
        List<ShardSource> shards = ShardSource.fromManifest(manifest, root, split);

        ModelBundle bundle = ModelBundle.load(new Path(model), hadoop);
        ComputationGraph network = bundle.network();
        long outputs = bundle.outputs();
        if (outputs != classes.size()) {
            throw new InvalidConfigException("--data", "the model has " + outputs + " outputs but " + manifest.dataset()
                    + " has " + classes.size() + " classes");
        }

        ShardEvaluator.Detailed d = new ShardEvaluator(shards, dataConfig.evalPipeline(50, classes.size()), classes)
                .evaluateDetailed(network);
        Evaluation eval = d.evaluation();
        PrintWriter out = spec.commandLine().getOut();
        out.printf(Locale.ROOT, "%s, split %s: %,d images%n", manifest.dataset(), split, d.result().images());
        out.printf(Locale.ROOT, "top-1 error %.2f%%   top-5 error %.2f%%   loss %.4f%n", 100 * d.result().top1Error(),
                100 * d.result().top5Error(), d.result().loss());
        out.println("per-class accuracy:");
        for (int c = 0; c < classes.size(); c++) {
            out.printf(Locale.ROOT, "  %-24s %6.2f%%  (%d images)%n", classes.get(c), 100 * eval.recall(c, 0.0),
                    eval.classCount(c));
        }
        ConfusionMatrix<Integer> m = eval.getConfusion();
        List<int[]> pairs = new ArrayList<>();
        for (int a = 0; a < classes.size(); a++) {
            for (int p = 0; p < classes.size(); p++) {
                if (a != p && m.getCount(a, p) > 0) {
                    pairs.add(new int[] {a, p, m.getCount(a, p)});
                }
            }
        }
        pairs.sort(Comparator.comparingInt((int[] x) -> -x[2]));
        out.println("most confused (true -> predicted):");
        for (int[] x : pairs.subList(0, Math.min(confused, pairs.size()))) {
            out.printf("  %s -> %s: %d%n", classes.get(x[0]), classes.get(x[1]), x[2]);
        }
        out.flush();
        return 0;
    }
}
