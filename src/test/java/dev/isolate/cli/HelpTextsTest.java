package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

class HelpTextsTest {
    @Test
    void aTextBecomesAnAsciiLiteralThatNoUnicodeEscapeCanEnd() {
        assertEquals("\"say \\\"hi\\\" \\\\ now\\nthen\\011tab \\u00e9\\177\"",
                HelpTexts.literal("say \"hi\" \\ now\nthen\ttab \u00e9\u007f"));
    }

    @Test
    void aTextLongerThanAClassConstantStopsTheBuild() {
        String tooLong = "\u00e9".repeat(32768); // 65536 bytes in modified UTF-8
        assertThrows(IllegalStateException.class, () -> HelpTexts.source(Map.of("isolate", tooLong)));
        HelpTexts.source(Map.of("isolate", "x".repeat(65535)));
    }
}
