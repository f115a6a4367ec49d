package io.alexnetspark.cli;

import io.alexnetspark.data.demo.FashionMnist;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Fetches the demo's real dataset and writes it as an image tree for {@code ingest}. */
@Command(name = "demo-data", mixinStandardHelpOptions = true,
        description = {"Fetch Fashion-MNIST (70,000 real 28x28 product photos, 10 classes; Debian's",
                "dataset-fashion-mnist package) and write a balanced subset as train/<class>/, val/<class>/ PNGs."})
final class DemoDataCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write the image tree.")
    Path out;

    @Option(names = "--cache", paramLabel = "DIR", description = "Where the downloaded files are kept (default: ~/.cache/alexnet-spark/fashion-mnist).")
    Path cache = Path.of(System.getProperty("user.home"), ".cache", "alexnet-spark", "fashion-mnist");

    @Option(names = "--train-per-class", defaultValue = "600", description = "Training images per class (max 6000; default ${DEFAULT-VALUE}).")
    int trainPerClass;

    @Option(names = "--val-per-class", defaultValue = "100", description = "Validation images per class (max 1000; default ${DEFAULT-VALUE}).")
    int valPerClass;

    @Override
    public Integer call() throws Exception {
        Path idx = FashionMnist.fetch(cache, System.err);
        int n = FashionMnist.writeImageTree(idx, out, trainPerClass, valPerClass);
        spec.commandLine().getOut().printf("wrote %,d Fashion-MNIST images (%d classes) to %s%n", n,
                FashionMnist.CLASSES.size(), out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
