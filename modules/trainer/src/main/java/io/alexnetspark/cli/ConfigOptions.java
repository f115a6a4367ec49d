package io.alexnetspark.cli;

import com.typesafe.config.Config;
import io.alexnetspark.model.config.ConfigLoader;
import io.alexnetspark.model.config.JobSettings;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The options every command that reads the job configuration shares. */
final class ConfigOptions {

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "HOCON file whose keys override the defaults (conf/alexnet.conf).")
    Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Override one key, e.g. --set training.batch-size=64 (repeatable; applied after --config).")
    List<String> overrides = new ArrayList<>();

    Config load(List<String> extra) {
        List<String> all = new ArrayList<>(overrides);
        all.addAll(extra);
        return new ConfigLoader().load(Optional.ofNullable(file), all);
    }

    JobSettings settings(List<String> extra) {
        return JobSettings.from(load(extra));
    }
}
