package dev.isolate.exit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MessagesTest {
    /** The bytes of a UTF-8 string, one char per byte, as isolate carries user input. */
    private static String bytes(String text) {
        return new String(text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void controlCharactersBecomeEscapes() {
        assertEquals("a\\nb\\tc\\rd\\e[31m\\x07\\x7f", Messages.line("a\nb\tc\rd\u001b[31m\u0007\u007f"));
    }

    @Test
    void validUtf8StaysAsItIs() {
        assertEquals(bytes("grüße → 日本 🙂"), Messages.line(bytes("grüße → 日本 🙂")));
    }

    @Test
    void bytesThatAreNotUtf8AreEscaped() {
        assertEquals("\\xff\\xfe", Messages.line("\u00ff\u00fe"));
        assertEquals("\\xc3(", Messages.line("\u00c3("), "a lead byte without its continuation");
        assertEquals("\\xc0\\xaf", Messages.line("\u00c0\u00af"), "an overlong slash");
        assertEquals("\\xed\\xa0\\x80", Messages.line(bytes("x").substring(1) + "\u00ed\u00a0\u0080"), "a surrogate");
    }

    @Test
    void c1ControlsAndBidiOverridesAreEscapedInEitherForm() {
        assertEquals("\\xc2\\x9b", Messages.line(bytes("\u009b")));
        assertEquals("\\xe2\\x80\\xaex", Messages.line(bytes("\u202ex")));
        assertEquals("\\u202ex", Messages.line("\u202ex"), "isolate's own text, as code points");
    }
}
