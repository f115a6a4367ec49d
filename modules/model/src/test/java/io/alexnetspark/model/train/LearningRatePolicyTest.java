package io.alexnetspark.model.train;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LearningRatePolicyTest {

    @Test
    void plateauDividesByTenWhenErrorStopsImprovingAtMostThreeTimes() {
        PlateauSchedule s = new PlateauSchedule(0.01, 0.1, 1, 3, 0.0);
        assertThat(s.rateForEpoch(0)).isEqualTo(0.01);
        s.observeValidationError(0, 0.60);
        s.observeValidationError(1, 0.55);
        assertThat(s.rateForEpoch(2)).isEqualTo(0.01);
        s.observeValidationError(2, 0.56); // no improvement: divide
        assertThat(s.rateForEpoch(3)).isCloseTo(0.001, org.assertj.core.api.Assertions.within(1e-15));
        s.observeValidationError(3, 0.50);
        assertThat(s.rateForEpoch(4)).isCloseTo(0.001, org.assertj.core.api.Assertions.within(1e-15));
        s.observeValidationError(4, 0.50); // equal is not better
        s.observeValidationError(5, 0.51);
        s.observeValidationError(6, 0.52);
        assertThat(s.state().reductions()).isEqualTo(3);
        double floor = s.rateForEpoch(7);
        s.observeValidationError(7, 0.53);
        assertThat(s.rateForEpoch(8)).isEqualTo(floor);
        assertThat(floor).isCloseTo(1e-5, org.assertj.core.api.Assertions.within(1e-18));
    }

    @Test
    void plateauStateRestoresTheSchedulePosition() {
        PlateauSchedule a = new PlateauSchedule(0.01, 0.1, 2, 3, 0.0);
        a.observeValidationError(0, 0.5);
        a.observeValidationError(1, 0.6);
        PlateauSchedule b = new PlateauSchedule(0.01, 0.1, 2, 3, 0.0);
        b.restore(a.state());
        a.observeValidationError(2, 0.6);
        b.observeValidationError(2, 0.6);
        assertThat(b.state()).isEqualTo(a.state());
        assertThat(b.rateForEpoch(3)).isCloseTo(0.001, org.assertj.core.api.Assertions.within(1e-15));
    }

    @Test
    void stepScheduleDividesAtTheGivenEpochs() {
        StepSchedule s = new StepSchedule(0.01, 0.1, List.of(30, 60, 80));
        assertThat(s.rateForEpoch(29)).isEqualTo(0.01);
        assertThat(s.rateForEpoch(30)).isCloseTo(0.001, org.assertj.core.api.Assertions.within(1e-15));
        assertThat(s.rateForEpoch(89)).isCloseTo(1e-5, org.assertj.core.api.Assertions.within(1e-18));
    }
}
