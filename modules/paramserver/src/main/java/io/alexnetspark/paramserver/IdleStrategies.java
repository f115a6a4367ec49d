package io.alexnetspark.paramserver;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * How shard threads and workers wait when there is nothing to do, chosen per JVM with the system
 * properties {@value #SHARD_PROPERTY} and {@value #CLIENT_PROPERTY}:
 * {@code backoff} (default: 10 spins, 10 yields, then parks of 1 us doubling up to 100 us: responsive
 * under load, near idle between rounds, fair to the other threads of a 2-core box), {@code lazy}
 * (1 spin, 1 yield, parks up to 1 ms: leaves the cores to the others), {@code yield}, or
 * {@code spin} (busy spin: only with a core to spare per thread, on big hosts).
 */
final class IdleStrategies {

    static final String SHARD_PROPERTY = "alexnet.ps.shard.idle";
    static final String CLIENT_PROPERTY = "alexnet.ps.client.idle";

    private IdleStrategies() {
    }

    static IdleStrategy fromProperty(String property) {
        return parse(System.getProperty(property, "backoff"));
    }

    static IdleStrategy parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "backoff" -> new BackoffIdleStrategy(10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
            case "lazy" -> new BackoffIdleStrategy(1, 1, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            case "yield" -> new YieldingIdleStrategy();
            case "spin" -> new BusySpinIdleStrategy();
            default -> throw new IllegalArgumentException("idle strategy must be backoff, lazy, yield or spin, got '" + name + "'");
        };
    }
}
