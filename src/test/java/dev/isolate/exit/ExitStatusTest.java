package dev.isolate.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ExitStatusTest {
    @Test
    void waitStatuses() {
        assertEquals(0, ExitStatus.of(0));
        assertEquals(42, ExitStatus.of(42 << 8));
        assertEquals(255, ExitStatus.of(255 << 8));
        assertEquals(137, ExitStatus.of(9));
        assertEquals(130, ExitStatus.of(2 | 0x80)); // core dump bit does not matter
    }

    @Test
    void execErrors() {
        assertEquals(127, ExitStatus.ofExecError(2));
        assertEquals(127, ExitStatus.ofExecError(20));
        assertEquals(126, ExitStatus.ofExecError(13));
        assertEquals(126, ExitStatus.ofExecError(8));
    }
}
