package dev.isolate.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CallerBytesTest {
    /** Every byte but NUL, which cannot be in a C string. */
    private static final String EVERY_BYTE;

    static {
        byte[] bytes = new byte[255];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i + 1);
        }
        EVERY_BYTE = ByteStrings.of(bytes);
    }

    private static byte[] nulTerminated(String... words) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String word : words) {
            out.writeBytes(ByteStrings.bytes(word));
            out.write(0);
        }
        return out.toByteArray();
    }

    /** What a JVM of this test's locale gives main for these bytes. */
    private static String[] asTheJvmGivesThem(String... words) {
        return List.of(words).stream().map(ByteStrings::decodedByTheJvm).toArray(String[]::new);
    }

    @Test
    void theArgumentsAreTheCommandLinesLastWordsByteForByte() {
        String umlaut = ByteStrings.of(new byte[] {(byte) 0xc3, (byte) 0xbc});
        String[] arguments = {"-p", "printf", "%s", EVERY_BYTE, umlaut, "\u00ff", ""};
        List<String> words = new ArrayList<>(List.of("java", "-Xrs", "-cp", "isolate.jar", "dev.isolate.cli.Main"));
        words.addAll(List.of(arguments));
        byte[] cmdline = nulTerminated(words.toArray(String[]::new));
        String[] read = CallerBytes.arguments(cmdline, asTheJvmGivesThem(arguments));
        assertArrayEquals(arguments, read);
        assertEquals(255, read[3].length(), "one char per byte");
        assertEquals(0xff, read[5].charAt(0));
        assertArrayEquals(new String[0], CallerBytes.arguments(cmdline, new String[0]), "no arguments");
    }

    @Test
    void aCommandLineThatDoesNotEndWithTheArgumentsIsRefused() {
        byte[] cmdline = nulTerminated("java", "Main", "a", "b");
        Failure differs = assertThrows(Failure.class, () -> CallerBytes.arguments(cmdline, new String[] {"a", "c"}));
        assertEquals("/proc/self/cmdline does not end with the arguments the JVM gave isolate (argument 2 differs)",
                differs.getMessage());
        Failure tooMany = assertThrows(Failure.class,
                () -> CallerBytes.arguments(cmdline, new String[] {"java", "Main", "a", "b"}));
        assertTrue(tooMany.getMessage().endsWith("(4 words for 4 arguments)"), tooMany.getMessage());
    }

    @Test
    void theEnvironmentKeepsEveryByteOfItsValues() {
        List<String> environ = CallerBytes.words(nulTerminated("A=" + EVERY_BYTE.replace("=", ""), "EMPTY=",
                "B=x=y", "A=second", "no-equals", "=nameless", "\u00e9\u00ff=v"));
        Map<String, String> environment = CallerBytes.environment(environ);
        assertEquals(EVERY_BYTE.replace("=", ""), environment.get("A"), "the first of a name counts, as for getenv");
        assertEquals("", environment.get("EMPTY"));
        assertEquals("x=y", environment.get("B"));
        assertEquals("v", environment.get("\u00e9\u00ff"));
        assertEquals(4, environment.size(), "entries without a name are no variables: " + environment);
    }

    @Test
    void wordsEndAtEachNulAndAnUnterminatedLastOneCounts() {
        assertEquals(List.of("a", "", "b"), CallerBytes.words(nulTerminated("a", "", "b")));
        assertEquals(List.of("a", "b"), CallerBytes.words(ByteStrings.bytes("a\0b")));
        assertEquals(List.of(), CallerBytes.words(new byte[0]));
    }

    @Test
    void thisProcesssOwnEnvironmentIsReadAsItsBytes() {
        // The JVM's copy agrees wherever the locale's charset could decode a value.
        Map<String, String> environment = CallerBytes.environment();
        System.getenv().forEach((name, value) -> {
            if (!value.contains("\ufffd")) {
                assertEquals(value, ByteStrings.decodedByTheJvm(environment.get(ByteStrings.encodedByTheJvm(name))),
                        name);
            }
        });
    }
}
