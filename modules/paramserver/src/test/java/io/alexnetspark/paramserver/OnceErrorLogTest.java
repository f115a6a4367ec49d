package io.alexnetspark.paramserver;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class OnceErrorLogTest {

    @Test
    void aRepeatedErrorIsLoggedOnceAndCounted() {
        AtomicInteger warnings = new AtomicInteger();
        org.slf4j.Logger counting = new org.slf4j.helpers.MarkerIgnoringBase() {
            // Only warn is used by the handler.
            @Override public boolean isTraceEnabled() { return false; }
            @Override public void trace(String msg) { }
            @Override public void trace(String format, Object arg) { }
            @Override public void trace(String format, Object arg1, Object arg2) { }
            @Override public void trace(String format, Object... arguments) { }
            @Override public void trace(String msg, Throwable t) { }
            @Override public boolean isDebugEnabled() { return false; }
            @Override public void debug(String msg) { }
            @Override public void debug(String format, Object arg) { }
            @Override public void debug(String format, Object arg1, Object arg2) { }
            @Override public void debug(String format, Object... arguments) { }
            @Override public void debug(String msg, Throwable t) { }
            @Override public boolean isInfoEnabled() { return false; }
            @Override public void info(String msg) { }
            @Override public void info(String format, Object arg) { }
            @Override public void info(String format, Object arg1, Object arg2) { }
            @Override public void info(String format, Object... arguments) { }
            @Override public void info(String msg, Throwable t) { }
            @Override public boolean isWarnEnabled() { return true; }
            @Override public void warn(String msg) { warnings.incrementAndGet(); }
            @Override public void warn(String format, Object arg) { warnings.incrementAndGet(); }
            @Override public void warn(String format, Object arg1, Object arg2) { warnings.incrementAndGet(); }
            @Override public void warn(String format, Object... arguments) { warnings.incrementAndGet(); }
            @Override public void warn(String msg, Throwable t) { warnings.incrementAndGet(); }
            @Override public boolean isErrorEnabled() { return true; }
            @Override public void error(String msg) { }
            @Override public void error(String format, Object arg) { }
            @Override public void error(String format, Object arg1, Object arg2) { }
            @Override public void error(String format, Object... arguments) { }
            @Override public void error(String msg, Throwable t) { }
        };
        OnceErrorLog handler = new OnceErrorLog(counting, "aeron client");
        for (int i = 0; i < 10_000; i++) {
            handler.onError(new io.aeron.exceptions.AeronException("connection closed"));
        }
        handler.onError(new IllegalStateException("another kind"));
        assertThat(warnings.get()).as("one line per kind, not one per duty cycle").isEqualTo(2);
        assertThat(handler.pending("io.aeron.exceptions.AeronException")).isEqualTo(9_999);
    }
}
