package io.alexnetspark.cli;

import io.alexnetspark.train.TrainingJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** The main job: trains the configured network on ingested shards across Spark executors. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train the configured AlexNet on the shards that `ingest` wrote (job.data), one replica per",
                "executor, kept in step by job.sync-mode; checkpoints, metrics, model and report go to job.output."})
final class TrainCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Mixin
    RunStartOptions runStart = new RunStartOptions();

    @Override
    public Integer call() throws Exception {
        new TrainingJob(config.load(List.of()), spec.commandLine().getOut()).allowCodeChange(runStart.allowCodeChange)
                .run(runStart.start(), Optional.empty(), null);
        return 0;
    }
}
