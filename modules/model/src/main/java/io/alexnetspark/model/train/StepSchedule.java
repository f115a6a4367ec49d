package io.alexnetspark.model.train;

import java.util.List;

/** Divides the learning rate by a fixed factor at fixed epochs (e.g. 30, 60, 80). */
public final class StepSchedule implements LearningRatePolicy {

    private final double initial;
    private final double factor;
    private final List<Integer> epochs;

    /**
     * @param initial learning rate before the first step
     * @param factor  multiplier applied at each step (0.1)
     * @param epochs  0-based epochs at which the rate is multiplied, ascending
     */
    public StepSchedule(double initial, double factor, List<Integer> epochs) {
        this.initial = initial;
        this.factor = factor;
        this.epochs = List.copyOf(epochs);
    }

    @Override
    public double rateForEpoch(int epoch) {
        double lr = initial;
        for (int step : epochs) {
            if (epoch >= step) {
                lr *= factor;
            }
        }
        return lr;
    }

    @Override
    public void observeValidationError(int epoch, double error) {
        // A fixed schedule ignores validation.
    }

    @Override
    public String describe() {
        return "step: lr " + initial + " x" + factor + " at epochs " + epochs;
    }
}
