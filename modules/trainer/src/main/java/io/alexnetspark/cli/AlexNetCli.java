package io.alexnetspark.cli;

import io.alexnetspark.model.config.InvalidConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The single entry point: {@code alexnet-spark <command>}.
 *
 * <p>Exit codes: 0 success, 1 failure, 2 bad usage or configuration (nothing was started),
 * 3 a node this build cannot use ({@code doctor}), 4 {@code retrain} kept production.
 */
@Command(name = "alexnet-spark",
        mixinStandardHelpOptions = true,
        versionProvider = BuildInfo.VersionProvider.class,
        description = "Trains AlexNet (Krizhevsky et al., 2012) on ImageNet with Spark and an Aeron parameter server.",
        subcommands = {DescribeCommand.class, ConfigCommand.class, DemoDataCommand.class, IngestCommand.class, TrainCommand.class,
                EvaluateCommand.class, PredictCommand.class, RetrainCommand.class,
                io.alexnetspark.paramserver.ParameterServerLauncher.class, DoctorCommand.class, VersionCommand.class,
                CommandLine.HelpCommand.class})
public final class AlexNetCli implements Runnable {

    /** Exit code of a bad command line or configuration. */
    public static final int EXIT_USAGE = 2;

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A command line with this project's error handling, for main and tests. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new AlexNetCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            // Nothing was started: a bad key, Spark settings that would expose the job's secret, or an
            // output folder that holds another run.
            if (e instanceof InvalidConfigException || e instanceof io.alexnetspark.train.UnprotectedClusterException
                    || e instanceof io.alexnetspark.train.RunFolderException) {
                err.println("error: " + e.getMessage());
                err.flush();
                return EXIT_USAGE;
            }
            if (e instanceof io.alexnetspark.train.aeron.EpochFailedException
                    || e instanceof io.alexnetspark.data.storage.AlreadyPublishedException
                    || e instanceof io.alexnetspark.train.ProductionChangedException) {
                // The message says what failed and what to do; the stack trace is in the log.
                org.slf4j.LoggerFactory.getLogger(AlexNetCli.class).error("training failed", e);
                err.println("error: " + e.getMessage());
                err.flush();
                return 1;
            }
            throw e;
        });
        return cli;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
