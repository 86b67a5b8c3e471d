package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessTableTest {
    private static final String PS = """
            UID          PID    PPID  C STIME TTY          TIME CMD
            root           1       0  0 22:00 ?        00:00:01 init
            root        4242       1  0 22:01 ?        00:00:00 sleep 100
            root        4243    4242  0 22:01 ?        00:00:00 sh
            """;

    @Test
    void theHeaderAndTheContainersLines() {
        assertEquals("""
                UID          PID    PPID  C STIME TTY          TIME CMD
                root        4242       1  0 22:01 ?        00:00:00 sleep 100
                """, ProcessTable.filter(PS, Set.of(4242L, 9999L)));
    }

    @Test
    void optionsWithoutAPidColumnAreRefused() {
        Failure failure = assertThrows(Failure.class, () -> ProcessTable.filter("CMD\nsleep\n", Set.of(1L)));
        assertEquals("ps: its options must keep the PID column", failure.getMessage());
    }

    @Test
    void tablesArePaddedAsRuncs() {
        assertEquals("ID   PID\nc1   42\n", Table.of(List.of(List.of("ID", "PID"), List.of("c1", "42"))));
    }
}
