package io.alexnetspark.cli;

import io.alexnetspark.model.describe.ModelDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Prints the network layer by layer, with the paper's figures beside ours. */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = {"Print the network layer by layer: output shape, neurons, parameters, multiply-adds,",
                "and the paper's figures beside ours with the reason for each mismatch."})
final class DescribeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--variant", paramLabel = "NAME",
            description = "alexnet-2012 (two towers) or alexnet-single; default: model.variant of the configuration.")
    String variant;

    @Option(names = "--input", paramLabel = "SIZE",
            description = "Square input size, e.g. 224 to see what the paper's text size gives (default: model.input).")
    Integer input;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        List<String> extra = new ArrayList<>();
        if (variant != null) {
            extra.add("model.variant=" + variant);
        }
        if (input != null) {
            extra.add("model.input.height=" + input);
            extra.add("model.input.width=" + input);
        }
        ModelDescription d = new ModelDescription(config.settings(extra).model());
        spec.commandLine().getOut().print(json ? d.toJson() + System.lineSeparator() : d.toText());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
