package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import org.junit.jupiter.api.Test;

/** isolate exec as nobody, into nobody's container; and into root's, which it may not enter. */
class RootlessExecIT extends ExecIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }

    @Test
    void notIntoSomeoneElsesContainer() {
        Result r = isolate().run("exec", "1", "true");
        assertEquals(125, r.exit());
        assertTrue(r.err().startsWith("isolate: process 1: ") && r.err().lines().count() == 1, r.err());
    }
}
