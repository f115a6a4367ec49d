package io.alexnetspark.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonProperty;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;

/**
 * SGD with classical (heavy-ball) momentum, the paper's update rule:
 * {@code v <- momentum * v - lr * g;  w <- w + v}.
 *
 * <p>DL4J ships only Nesterov momentum ({@code Nesterovs}), which evaluates the gradient at a
 * look-ahead point and is not what the paper (or Caffe) used. Weight decay is not part of the
 * updater: it enters the gradient as L2 regularisation ({@code g + wd * w}), which makes the rule
 * exactly the paper's {@code v <- 0.9 v - 0.0005 lr w - lr g}.
 */
public final class ClassicMomentum implements IUpdater {

    private static final long serialVersionUID = 1L;

    /** Updater state key, as DL4J names its momentum state. */
    public static final String VELOCITY = "V";

    @JsonProperty
    private double learningRate;
    @JsonProperty
    private double momentum;
    @JsonProperty
    private ISchedule learningRateSchedule;

    /** For JSON deserialisation. */
    public ClassicMomentum() {
        this(0.01, 0.9);
    }

    public ClassicMomentum(double learningRate, double momentum) {
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    public double getMomentum() {
        return momentum;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater<ClassicMomentum> instantiate(INDArray viewArray, boolean initializeViewArray) {
        Updater updater = new Updater(this);
        updater.setStateViewArray(viewArray, viewArray.shape(), viewArray.ordering(), initializeViewArray);
        return updater;
    }

    @Override
    public GradientUpdater<ClassicMomentum> instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        Updater updater = new Updater(this);
        updater.setState(updaterState, initializeStateArrays);
        return updater;
    }

    @Override
    public ClassicMomentum clone() {
        ClassicMomentum copy = new ClassicMomentum(learningRate, momentum);
        copy.learningRateSchedule = learningRateSchedule == null ? null : learningRateSchedule.clone();
        return copy;
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ClassicMomentum other)) {
            return false;
        }
        return Double.compare(learningRate, other.learningRate) == 0
                && Double.compare(momentum, other.momentum) == 0
                && Objects.equals(learningRateSchedule, other.learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, momentum, learningRateSchedule);
    }

    @Override
    public String toString() {
        return "ClassicMomentum(lr=" + learningRate + ", momentum=" + momentum
                + (learningRateSchedule == null ? "" : ", schedule=" + learningRateSchedule) + ")";
    }

    /** The updater's state (one velocity per parameter) and its in-place step. */
    static final class Updater implements GradientUpdater<ClassicMomentum> {
        private final ClassicMomentum config;
        private INDArray velocity;

        Updater(ClassicMomentum config) {
            this.config = config;
        }

        @Override
        public ClassicMomentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            INDArray v = stateMap.get(VELOCITY);
            if (v == null || stateMap.size() != 1) {
                throw new IllegalStateException("ClassicMomentum expects exactly one state array '" + VELOCITY
                        + "', got " + stateMap.keySet());
            }
            velocity = v;
            if (initialize) {
                velocity.assign(0);
            }
        }

        @Override
        public Map<String, INDArray> getState() {
            return Collections.singletonMap(VELOCITY, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            if (!viewArray.isRowVectorOrScalar()) {
                throw new IllegalArgumentException("Invalid input: expect row vector input");
            }
            if (initialize) {
                viewArray.assign(0);
            }
            velocity = viewArray.reshape(gradientOrder, gradientShape);
        }

        /**
         * Turns the gradient into the step DL4J subtracts from the parameters. With
         * {@code u = momentum * u + lr * g} and {@code w <- w - u}, {@code u} is {@code -v} of the
         * paper's rule. In place, three passes over the vector, no allocation per step.
         */
        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            velocity.muli(config.momentum);
            Nd4j.exec(new Axpy(gradient, velocity, velocity, lr));
            gradient.assign(velocity);
        }
    }
}
