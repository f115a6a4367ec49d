package io.alexnetspark.paramserver;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AeronSpaceCheckTest {

    @Test
    void termBuffersThatDoNotFitInTheDriversFolderAreRefusedBeforeTheDriverStarts() {
        AeronSetup setup = AeronSetup.embeddedFresh();
        // 1 PB of logs: more than any /dev/shm.
        long logs = AeronConnection.logBytes(1 << 14, 1 << 30) * 16;
        assertThatThrownBy(() -> AeronConnection.open(setup, logs))
                .isInstanceOf(ParameterServerException.class)
                .hasMessageContaining("not enough free space for the Aeron term buffers")
                .hasMessageContaining("MB free").hasMessageContaining("smaller term length");
        assertThat(Files.exists(Path.of(setup.aeronDir()))).as("no driver was started").isFalse();
        // What fits starts as before.
        try (AeronConnection ok = AeronConnection.open(setup, AeronConnection.logBytes(2, 64 * 1024))) {
            assertThat(ok.aeron().isClosed()).isFalse();
        }
    }
}
