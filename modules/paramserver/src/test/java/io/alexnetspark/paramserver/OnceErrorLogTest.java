package io.alexnetspark.paramserver;

import org.junit.jupiter.api.Test;
import org.slf4j.event.EventRecordingLogger;
import org.slf4j.event.Level;
import org.slf4j.event.SubstituteLoggingEvent;
import org.slf4j.helpers.SubstituteLogger;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;

class OnceErrorLogTest {

    @Test
    void aRepeatedErrorIsLoggedOnceAndCounted() {
        Queue<SubstituteLoggingEvent> events = new ConcurrentLinkedQueue<>();
        EventRecordingLogger recording = new EventRecordingLogger(new SubstituteLogger("test", events, false), events);
        OnceErrorLog handler = new OnceErrorLog(recording, "aeron client");
        for (int i = 0; i < 10_000; i++) {
            handler.onError(new io.aeron.exceptions.AeronException("connection closed"));
        }
        handler.onError(new IllegalStateException("another kind"));
        assertThat(events).as("one line per kind, not one per duty cycle").hasSize(2)
                .allMatch(e -> e.getLevel() == Level.WARN);
        assertThat(handler.pending("io.aeron.exceptions.AeronException")).isEqualTo(9_999);
    }
}
