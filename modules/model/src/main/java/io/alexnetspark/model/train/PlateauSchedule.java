package io.alexnetspark.model.train;

/**
 * The paper's schedule: "divide the learning rate by 10 when the validation error rate stopped
 * improving with the current learning rate", at most {@code maxReductions} times (three in the
 * paper).
 *
 * <p>An epoch improves when its error is below the best so far by more than {@code minDelta}.
 * After {@code patience} epochs without improvement the rate is multiplied by {@code factor} and
 * the count starts again. The state is a small value ({@link State}) so that a checkpoint can
 * carry it and a resumed run continues at the same schedule position.
 */
public final class PlateauSchedule implements LearningRatePolicy {

    /** What a checkpoint must keep to resume the schedule exactly. */
    public record State(double learningRate, double bestError, int epochsWithoutImprovement, int reductions) {
    }

    private final double factor;
    private final int patience;
    private final int maxReductions;
    private final double minDelta;
    private State state;

    public PlateauSchedule(double initial, double factor, int patience, int maxReductions, double minDelta) {
        if (patience < 1) {
            throw new IllegalArgumentException("patience must be >= 1, got " + patience);
        }
        this.factor = factor;
        this.patience = patience;
        this.maxReductions = maxReductions;
        this.minDelta = minDelta;
        this.state = new State(initial, Double.POSITIVE_INFINITY, 0, 0);
    }

    @Override
    public double rateForEpoch(int epoch) {
        return state.learningRate();
    }

    @Override
    public void observeValidationError(int epoch, double error) {
        State s = state;
        if (error < s.bestError() - minDelta) {
            state = new State(s.learningRate(), error, 0, s.reductions());
            return;
        }
        int stale = s.epochsWithoutImprovement() + 1;
        if (stale >= patience && s.reductions() < maxReductions) {
            // The best error is kept: the next rate must beat it too.
            state = new State(s.learningRate() * factor, s.bestError(), 0, s.reductions() + 1);
        } else {
            state = new State(s.learningRate(), s.bestError(), stale, s.reductions());
        }
    }

    public State state() {
        return state;
    }

    /** Restores the schedule position saved in a checkpoint. */
    public void restore(State saved) {
        this.state = saved;
    }

    @Override
    public String describe() {
        return "plateau: lr x" + factor + " after " + patience + " epoch(s) without improvement, at most "
                + maxReductions + " times (now " + state.learningRate() + ", " + state.reductions() + " done)";
    }
}
