package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class StatusTest {
    @Test
    void fromWhatCanBeSeen() {
        assertEquals(Status.CREATING, Status.of(false, true, true));
        assertEquals(Status.CREATED, Status.of(true, true, true));
        assertEquals(Status.RUNNING, Status.of(true, true, false));
        assertEquals(Status.STOPPED, Status.of(true, false, true));
        assertEquals(Status.STOPPED, Status.of(true, false, false));
        // A create killed before it finished: nothing runs, delete may clean up.
        assertEquals(Status.STOPPED, Status.of(false, false, true));
    }

    @Test
    void theSpecsWords() {
        assertEquals("created", Status.CREATED.word());
        assertEquals("stopped", Status.STOPPED.word());
    }
}
