package io.alexnetspark.model.config;

import com.typesafe.config.Config;
import io.alexnetspark.model.AlexNetVariant;
import io.alexnetspark.model.ConvSpec;
import io.alexnetspark.model.LrnSpec;
import io.alexnetspark.model.ModelSpec;
import io.alexnetspark.model.describe.ArchitectureTable;
import io.alexnetspark.model.layers.LayerImplementation;
import io.alexnetspark.model.train.TrainingRecipe;
import org.deeplearning4j.nn.conf.WorkspaceMode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The validated, typed view of the configuration: the network, the training recipe and the
 * backend settings. Building one checks every value and the combinations between them.
 *
 * @param config        the effective configuration it was read from
 * @param model         the network
 * @param recipe        the training recipe
 * @param workspaceMode ND4J workspace mode
 * @param layers        native libnd4j ops or DL4J's own layers for convolution and LRN
 */
public record JobSettings(Config config, ModelSpec model, TrainingRecipe recipe, WorkspaceMode workspaceMode,
                          LayerImplementation layers) {

    /** A factory for this configuration's network. */
    public io.alexnetspark.model.AlexNetFactory networkFactory() {
        return new io.alexnetspark.model.AlexNetFactory(model, recipe, workspaceMode, layers);
    }

    /** Reads and validates the settings, naming the key of the first bad value. */
    public static JobSettings from(Config config) {
        SettingsReader r = new SettingsReader(config);
        ModelSpec model = readModel(r);
        TrainingRecipe recipe = readRecipe(r);
        WorkspaceMode workspace = r.choice("backend.workspace-mode",
                WorkspaceMode.class);
        LayerImplementation layers = r.choice("backend.layers", LayerImplementation::fromConfigName);
        return new JobSettings(config, model, recipe, workspace, layers);
    }

    private static ModelSpec readModel(SettingsReader r) {
        AlexNetVariant variant = r.choice("model.variant", AlexNetVariant::fromConfigName);
        List<ConvSpec> convs = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            String p = "model.conv" + i + ".";
            ConvSpec c = new ConvSpec(r.intAtLeast(p + "filters", 1), r.intAtLeast(p + "kernel", 1),
                    r.intAtLeast(p + "stride", 1), r.intAtLeast(p + "padding", 0));
            if (variant.twoTowers() && c.filters() % 2 != 0) {
                throw new InvalidConfigException(p + "filters", "must be even for the two-tower variant "
                        + variant + " (each tower gets half), got " + c.filters());
            }
            convs.add(c);
        }
        int lrnN = r.intAtLeast("model.lrn.n", 1);
        if (lrnN % 2 == 0) {
            throw new InvalidConfigException("model.lrn.n", "must be odd (a window centred on each map), got " + lrnN);
        }
        LrnSpec lrn = new LrnSpec(lrnN,
                r.doubleIn("model.lrn.k", 0, false, Double.MAX_VALUE, true),
                r.doubleIn("model.lrn.alpha", 0, true, Double.MAX_VALUE, true),
                r.doubleIn("model.lrn.beta", 0, true, Double.MAX_VALUE, true),
                r.choice("model.lrn.alpha-convention", LrnSpec.AlphaConvention::fromConfigName));
        Set<String> biasOne = new HashSet<>(r.strings("model.init.bias-one"));
        for (String layer : biasOne) {
            if (!ModelSpec.BIAS_LAYERS.contains(layer)) {
                throw new InvalidConfigException("model.init.bias-one", "unknown layer '" + layer + "', expected some of "
                        + ModelSpec.BIAS_LAYERS);
            }
        }
        ModelSpec spec = new ModelSpec(variant,
                r.intAtLeast("model.input.height", 1),
                r.intAtLeast("model.input.width", 1),
                r.intAtLeast("model.input.channels", 1),
                r.intAtLeast("model.classes", 2),
                convs,
                r.intAtLeast("model.pool.size", 1),
                r.intAtLeast("model.pool.stride", 1),
                r.intAtLeast("model.fc-width", 1),
                r.doubleIn("model.dropout", 0, true, 1, false),
                lrn,
                r.positive("model.init.weight-std"),
                biasOne,
                r.choice("model.init.scheme", ModelSpec.InitScheme::fromConfigName));
        try {
            new ArchitectureTable(spec);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("model.input", e.getMessage());
        }
        return spec;
    }

    private static TrainingRecipe readRecipe(SettingsReader r) {
        List<Integer> steps = r.ints("training.learning-rate.step.epochs");
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i) < 0 || (i > 0 && steps.get(i) <= steps.get(i - 1))) {
                throw new InvalidConfigException("training.learning-rate.step.epochs",
                        "must be non-negative and strictly ascending, got " + steps);
            }
        }
        return new TrainingRecipe(
                r.intAtLeast("training.batch-size", 1),
                r.doubleIn("training.momentum", 0, true, 1, false),
                r.doubleIn("training.weight-decay", 0, true, 1, false),
                r.positive("training.learning-rate.initial"),
                r.choice("training.learning-rate.schedule", TrainingRecipe.ScheduleKind::fromConfigName),
                r.doubleIn("training.learning-rate.factor", 0, false, 1, false),
                r.intAtLeast("training.learning-rate.plateau.patience", 1),
                r.intAtLeast("training.learning-rate.plateau.max-reductions", 0),
                r.doubleIn("training.learning-rate.plateau.min-delta", 0, true, 1, true),
                steps,
                r.intAtLeast("training.epochs", 1),
                r.longValue("training.seed"));
    }
}
