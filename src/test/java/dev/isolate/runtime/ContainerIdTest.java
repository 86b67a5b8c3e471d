package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import org.junit.jupiter.api.Test;

class ContainerIdTest {
    @Test
    void runcsCharactersAreIds() {
        for (String id : new String[] {"a", "8c216939469c", "k8s_pod.1", "a+b", "a,b", "a-b", "...", ".hidden", "_"}) {
            assertTrue(ContainerId.valid(id), id);
        }
        assertEquals("x", ContainerId.require("x"));
    }

    @Test
    void pathsAndOtherCharactersAreNot() {
        for (String id : new String[] {"", ".", "..", "a/b", "/abs", "../x", "a b", "a~b", "a:b", "ü", "a\nb",
                "x".repeat(256)}) {
            assertFalse(ContainerId.valid(id), id);
        }
        Failure failure = assertThrows(Failure.class, () -> ContainerId.require("../x"));
        assertTrue(failure.getMessage().startsWith("container id \"../x\": invalid"), failure.getMessage());
    }
}
