package io.alexnetspark.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.List;
import java.util.concurrent.Callable;

/** Validates the configuration and prints the effective values. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Validate the configuration (defaults + --config + --set) and print the effective values.",
                "A bad key or value exits with code 2 and names the key and the reason."})
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--json", description = "Print JSON instead of HOCON.")
    boolean json;

    @Override
    public Integer call() {
        Config effective = config.load(List.of());
        io.alexnetspark.train.ConfigValidation.check(effective); // what train, ingest and retrain check
        ConfigRenderOptions options = ConfigRenderOptions.defaults().setOriginComments(false).setComments(false)
                .setJson(json).setFormatted(true);
        spec.commandLine().getOut().println(effective.root().render(options));
        spec.commandLine().getOut().flush();
        return 0;
    }
}
