package io.alexnetspark.model.train;

/**
 * Decides the learning rate of each epoch. The trainer asks {@link #rateForEpoch(int)} before an
 * epoch and reports the validation error after it.
 */
public interface LearningRatePolicy {

    /** The learning rate to use for the given 0-based epoch. */
    double rateForEpoch(int epoch);

    /** Reports the validation (top-1) error measured after the given epoch. */
    void observeValidationError(int epoch, double error);

    /** A one-line description for logs. */
    String describe();
}
