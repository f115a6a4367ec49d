package io.alexnetspark.cli;

import io.alexnetspark.train.RunFolder;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/** How a training run uses job.output: {@code --resume}, {@code --overwrite}, or fresh (the default). */
final class RunStartOptions {

    @ArgGroup(exclusive = true)
    Choice choice;

    static final class Choice {
        @Option(names = "--resume", required = true, description = {"Continue the run in job.output from its newest complete",
                "checkpoint; refused if its configuration, dataset or code differ (it says which)."})
        boolean resume;

        @Option(names = "--overwrite", required = true, description = {"Start afresh although job.output holds a run: that",
                "run is moved aside to a sibling folder (job.output.replaced-<time>), nothing is deleted."})
        boolean overwrite;
    }

    @Option(names = "--allow-code-change", description = "With --resume: accept a run that another code version started.")
    boolean allowCodeChange;

    RunFolder.Start start() {
        if (choice == null) {
            return RunFolder.Start.FRESH;
        }
        return choice.resume ? RunFolder.Start.RESUME : RunFolder.Start.OVERWRITE;
    }
}
