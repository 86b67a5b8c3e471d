package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import org.junit.jupiter.api.Test;

class SignalNamesTest {
    @Test
    void numbersAsEnginesSendThem() {
        assertEquals(9, SignalNames.parse("9"));
        assertEquals(15, SignalNames.parse("15"));
        assertEquals(64, SignalNames.parse("64"));
    }

    @Test
    void namesWithOrWithoutSigInAnyCase() {
        assertEquals(15, SignalNames.parse("TERM"));
        assertEquals(15, SignalNames.parse("SIGTERM"));
        assertEquals(9, SignalNames.parse("sigkill"));
        assertEquals(17, SignalNames.parse("CHLD"));
        assertEquals(28, SignalNames.parse("WINCH"));
        assertEquals(10, SignalNames.parse("usr1"));
        assertEquals(34, SignalNames.parse("RTMIN"));
        assertEquals(37, SignalNames.parse("SIGRTMIN+3"));
        assertEquals(62, SignalNames.parse("RTMAX-2"));
    }

    @Test
    void anythingElseIsOneLine() {
        for (String bad : new String[] {"0", "65", "FOO", "SIG", "-9", "9x", "RTMIN+40", ""}) {
            Failure failure = assertThrows(Failure.class, () -> SignalNames.parse(bad), bad);
            assertTrue(failure.getMessage().startsWith("signal \"" + bad + "\": not a signal"), failure.getMessage());
        }
    }
}
