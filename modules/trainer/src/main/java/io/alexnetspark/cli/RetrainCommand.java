package io.alexnetspark.cli;

import com.typesafe.config.Config;
import io.alexnetspark.data.config.DataConfig;
import io.alexnetspark.data.manifest.Manifest;
import io.alexnetspark.data.manifest.ManifestIO;
import io.alexnetspark.data.pipeline.ShardSource;
import io.alexnetspark.model.config.InvalidConfigException;
import io.alexnetspark.model.config.JobSettings;
import io.alexnetspark.model.config.SettingsReader;
import io.alexnetspark.train.Evaluator;
import io.alexnetspark.train.ModelBundle;
import io.alexnetspark.train.ModelCard;
import io.alexnetspark.train.ModelRegistry;
import io.alexnetspark.train.ShardEvaluator;
import io.alexnetspark.train.TrainSettings;
import io.alexnetspark.train.TrainingJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;

/**
 * Scheduled retraining: warm-start from production, train on the new data, judge candidate and
 * production on one fixed validation set, register the candidate, promote it only when better.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true,
        description = {"Retrain for a scheduler: warm-start from the registry's production model (retrain.registry),",
                "train on job.data into job.output, evaluate the new model and production on the fixed validation",
                "set (retrain.validation), register the new model as a version and promote it only when its top-1",
                "error beats production's by more than retrain.margin.",
                "",
                "Exit codes: 0 promoted, " + RetrainCommand.EXIT_KEPT + " trained but production kept (not better), "
                        + "1 failure, 2 bad configuration."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the new model is production", RetrainCommand.EXIT_KEPT + ":trained and registered, production kept",
                "1:failure (nothing promoted)", "2:bad command line or configuration (nothing started)"})
final class RetrainCommand implements Callable<Integer> {

    /** What job.output/decision.json says, for schedulers and people. */
    record RetrainDecision(boolean promoted, String candidate, String production, double candidateTop1Error,
                           Double productionTop1Error, double margin, String validation, String reason) {
    }

    private static final int REGISTER_ATTEMPTS = 3;

    /** Exit code when the new model was registered but production stayed. */
    static final int EXIT_KEPT = 4;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config = new ConfigOptions();

    @Option(names = "--kept-exit-code", defaultValue = "" + EXIT_KEPT, paramLabel = "N",
            description = {"Exit code when production is kept (default: ${DEFAULT-VALUE}). Schedulers that treat any",
                    "non-zero code as a failure (Airflow's SparkSubmitOperator) set 0 and read decision.json."})
    int keptExitCode;

    @Mixin
    RunStartOptions runStart = new RunStartOptions();

    @Override
    public Integer call() throws Exception {
        Config cfg = config.load(List.of());
        io.alexnetspark.train.ConfigValidation.check(cfg);
        SettingsReader reader = new SettingsReader(cfg);
        String registryUri = reader.string("retrain.registry");
        if (registryUri.isBlank()) {
            throw new InvalidConfigException("retrain.registry", "required (--set retrain.registry=URI)");
        }
        double margin = reader.doubleIn("retrain.margin", 0.0, true, 1.0, false);
        TrainSettings ts = TrainSettings.from(cfg);
        JobSettings job = JobSettings.from(cfg);
        DataConfig data = DataConfig.from(cfg);
        Configuration hadoop = new Configuration();
        PrintWriter out = spec.commandLine().getOut();
        TrainingJob training = new TrainingJob(cfg, out).allowCodeChange(runStart.allowCodeChange);
        // Refused before judging production, not after: that judgement alone can take a while.
        training.checkSparkSecurity();

        Path validationRoot = new Path(reader.string("retrain.validation").isBlank() ? ts.data()
                : reader.string("retrain.validation"));
        Manifest validation = ManifestIO.read(validationRoot.getFileSystem(hadoop), validationRoot);
        List<ShardSource> valShards = ShardSource.fromManifest(validation, validationRoot, "val");
        if (valShards.isEmpty()) {
            throw new InvalidConfigException("retrain.validation", validationRoot + " has no val split to judge models on");
        }
        String validationId = validation.dataset() + "@" + validation.createdAt() + "/val";
        List<String> classes = validation.classNames();
        ShardEvaluator judge = new ShardEvaluator(valShards, data.evalPipeline(job.recipe().batchSize(), classes.size()),
                classes);

        ModelRegistry registry = new ModelRegistry(new Path(registryUri), hadoop);
        // Production as judged: the promotion at the end is a compare-and-swap against it.
        ModelRegistry.Judged judged = registry.judge();
        Optional<ModelRegistry.Registered> production = judged.version() == null ? Optional.empty()
                : Optional.of(registry.version(judged.version()));
        Optional<ComputationGraph> warmStart = Optional.empty();
        OptionalDouble productionNow = OptionalDouble.empty();
        if (production.isPresent()) {
            ModelBundle current = ModelBundle.load(production.get().path(), hadoop);
            if (current.outputs() != job.model().classes()) {
                throw new InvalidConfigException("model.classes", "is " + job.model().classes() + " but production "
                        + production.get().card().version() + " has " + current.outputs()
                        + " outputs; a warm start needs the same classes");
            }
            // Judged now, before the warm start trains these very parameters further.
            productionNow = OptionalDouble.of(judge.evaluate(current.network()).top1Error());
            warmStart = Optional.of(current.network());
            out.printf("warm start from production %s (top-1 error %.2f%% on %s)%n", production.get().card().version(),
                    100 * production.get().card().top1Error(), production.get().card().evaluatedOn());
        } else {
            out.println("the registry has no production model: training from a fresh initialisation");
        }
        out.flush();

        TrainingJob.Outcome outcome = training.run(runStart.start(), warmStart,
                production.map(p -> p.card().version()).orElse(null));

        ModelCard c = outcome.card();
        if (!c.classNames().equals(classes)) {
            throw new InvalidConfigException("retrain.validation", validationRoot + " has other classes than the "
                    + "training data " + ts.data() + "; models are judged on the classes they were trained on");
        }
        Evaluator.Result candidate = judge.evaluate(outcome.network());
        ModelCard unregistered = new ModelCard(null, c.variant(), c.classes(), c.classNames(), c.manifestId(), validationId,
                c.configHash(), candidate.top1Error(), candidate.top5Error(), null, c.parent());
        ModelRegistry.Registered registered = register(registry, outcome.network(), unregistered, out);
        ModelRegistry.Decision decision = registry.promoteIfBetter(registered, margin, productionNow, judged);
        out.printf(Locale.ROOT, "registered %s (top-1 error %.2f%%, top-5 %.2f%% on %s)%n", registered.card().version(),
                100 * candidate.top1Error(), 100 * candidate.top5Error(), validationId);
        out.println(decision.reason());
        out.printf("production: %s%n", decision.production());
        out.flush();
        Path decisionFile = new Path(ts.output(), "decision.json");
        ManifestIO.writeJson(decisionFile.getFileSystem(hadoop), hadoop, decisionFile, new RetrainDecision(
                decision.promoted(), registered.card().version(), decision.production(), candidate.top1Error(),
                productionNow.isPresent() ? productionNow.getAsDouble() : null, margin, validationId, decision.reason()));
        return decision.promoted() ? 0 : keptExitCode;
    }

    /**
     * Registers the candidate; a registration that lost its version number to another one at the
     * same moment (nothing of it kept) takes the next number, a few times at most.
     */
    private static ModelRegistry.Registered register(ModelRegistry registry, ComputationGraph network, ModelCard card,
                                                     PrintWriter out) throws java.io.IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return registry.register(network, card);
            } catch (io.alexnetspark.data.storage.AlreadyPublishedException e) {
                if (attempt == REGISTER_ATTEMPTS) {
                    throw e;
                }
                out.println(e.getMessage() + ": taking the next number");
            }
        }
    }
}
