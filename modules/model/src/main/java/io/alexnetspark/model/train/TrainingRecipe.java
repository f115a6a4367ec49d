package io.alexnetspark.model.train;

import java.util.List;

/**
 * The paper's optimisation recipe: SGD with momentum, weight decay, batch size and the learning
 * rate schedule (section 5).
 *
 * @param batchSize             mini-batch size per replica (128)
 * @param momentum              classical momentum (0.9)
 * @param weightDecay           L2 weight decay on the weights (0.0005)
 * @param initialLearningRate   starting learning rate (0.01)
 * @param schedule              plateau (the paper's) or step
 * @param factor                multiplier at each reduction (0.1)
 * @param patience              plateau: epochs without improvement before a reduction
 * @param maxReductions         plateau: at most this many reductions (3)
 * @param minDelta              plateau: an improvement must beat the best error by more than this
 * @param stepEpochs            step: epochs at which the rate is reduced
 * @param epochs                epochs to train (~90 in the paper)
 * @param seed                  seed of the initial weights and of dropout
 */
public record TrainingRecipe(int batchSize, double momentum, double weightDecay, double initialLearningRate,
                             ScheduleKind schedule, double factor, int patience, int maxReductions, double minDelta,
                             List<Integer> stepEpochs, int epochs, long seed) {

    /** Which learning rate policy to use. */
    public enum ScheduleKind {
        PLATEAU, STEP;

        public static ScheduleKind fromConfigName(String name) {
            return io.alexnetspark.model.config.ConfigNames.parse(ScheduleKind.class, name);
        }
    }

    public TrainingRecipe {
        stepEpochs = List.copyOf(stepEpochs);
    }

    /** The paper's recipe: batch 128, momentum 0.9, weight decay 5e-4, lr 0.01 / 10 on plateau (3 times), 90 epochs. */
    public static TrainingRecipe paper() {
        return new TrainingRecipe(128, 0.9, 5e-4, 0.01, ScheduleKind.PLATEAU, 0.1, 1, 3, 0.0,
                List.of(30, 60, 80), 90, 42L);
    }

    /** A fresh learning rate policy at its starting position. */
    public LearningRatePolicy newPolicy() {
        return schedule == ScheduleKind.PLATEAU
                ? new PlateauSchedule(initialLearningRate, factor, patience, maxReductions, minDelta)
                : new StepSchedule(initialLearningRate, factor, stepEpochs);
    }
}
