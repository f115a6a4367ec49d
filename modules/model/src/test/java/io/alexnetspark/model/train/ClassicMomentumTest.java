package io.alexnetspark.model.train;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.GradientUpdater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ClassicMomentumTest {

    @Test
    void threeStepsFollowThePapersRule() {
        double lr = 0.1;
        double mu = 0.9;
        INDArray state = Nd4j.zeros(org.nd4j.linalg.api.buffer.DataType.DOUBLE, 1, 2);
        GradientUpdater<ClassicMomentum> u = new ClassicMomentum(lr, mu).instantiate(state, true);
        double[] w = {1.0, -2.0};
        double[] v = {0.0, 0.0};
        double[][] grads = {{0.5, 1.0}, {0.25, -1.0}, {-0.5, 0.0}};
        for (int step = 0; step < grads.length; step++) {
            INDArray g = Nd4j.createFromArray(grads[step]).reshape(1, 2);
            u.applyUpdater(g, step, 0);
            for (int i = 0; i < 2; i++) {
                // The paper: v <- 0.9 v - lr g; w <- w + v. DL4J subtracts the update: w <- w - update.
                v[i] = mu * v[i] - lr * grads[step][i];
                double fromUpdater = w[i] - g.getDouble(0, i);
                w[i] = w[i] + v[i];
                assertThat(fromUpdater).as("step %d, w%d", step, i).isCloseTo(w[i], within(1e-12));
            }
        }
        assertThat(state.getDouble(0, 0)).isCloseTo(-v[0], within(1e-12));
    }

    @Test
    void learningRateChangesTakeEffect() {
        ClassicMomentum m = new ClassicMomentum(0.01, 0.9);
        m.setLrAndSchedule(0.001, null);
        assertThat(m.getLearningRate(0, 5)).isEqualTo(0.001);
        assertThat(m.clone()).isEqualTo(m).isNotSameAs(m);
        assertThat(m).isNotEqualTo(new ClassicMomentum(0.01, 0.9));
    }
}
