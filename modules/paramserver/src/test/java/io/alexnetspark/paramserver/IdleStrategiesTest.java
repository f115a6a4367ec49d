package io.alexnetspark.paramserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;

class IdleStrategiesTest {

    @Test
    void namesMapToAgronaStrategiesAndTheDefaultIsBackoff() {
        assertThat(IdleStrategies.parse("backoff")).isInstanceOf(BackoffIdleStrategy.class);
        assertThat(IdleStrategies.parse(" LAZY ")).isInstanceOf(BackoffIdleStrategy.class);
        assertThat(IdleStrategies.parse("yield")).isInstanceOf(YieldingIdleStrategy.class);
        assertThat(IdleStrategies.parse("spin")).isInstanceOf(BusySpinIdleStrategy.class);
        assertThat(IdleStrategies.fromProperty("alexnet.ps.no.such.property")).isInstanceOf(BackoffIdleStrategy.class);
        assertThatThrownBy(() -> IdleStrategies.parse("sleepy")).hasMessageContaining("backoff, lazy, yield or spin");
    }
}
