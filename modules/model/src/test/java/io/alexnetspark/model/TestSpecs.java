package io.alexnetspark.model;

import io.alexnetspark.model.train.TrainingRecipe;

import java.util.List;
import java.util.Set;

/** Small networks of the paper's shape, for tests that train. */
final class TestSpecs {

    private TestSpecs() {
    }

    /**
     * The paper's layer types on 32x32 RGB input with few maps: trains in milliseconds. Its fan-ins
     * (75 to 432) are far below the paper's (363 to 3456), so the paper's N(0, 0.01) would shrink the
     * signal to nothing by conv5; 0.08 is close to He's sqrt(2 / fan-in) for these layers.
     */
    static ModelSpec small(AlexNetVariant variant, int classes) {
        return new ModelSpec(variant, 32, 32, 3, classes,
                List.of(new ConvSpec(16, 5, 1, 2),
                        new ConvSpec(32, 5, 1, 2),
                        new ConvSpec(48, 3, 1, 1),
                        new ConvSpec(48, 3, 1, 1),
                        new ConvSpec(32, 3, 1, 1)),
                3, 2, 64, 0.5, LrnSpec.paper(), 0.08,
                Set.of("conv2", "conv4", "conv5", "fc6", "fc7"));
    }

    static TrainingRecipe recipe(double lr) {
        TrainingRecipe p = TrainingRecipe.paper();
        return new TrainingRecipe(p.batchSize(), p.momentum(), p.weightDecay(), lr, p.schedule(), p.factor(),
                p.patience(), p.maxReductions(), p.minDelta(), p.stepEpochs(), p.epochs(), 7L);
    }
}
