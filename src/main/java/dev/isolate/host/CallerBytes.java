package dev.isolate.host;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.SmallFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * isolate's arguments and environment as its caller's bytes, in byte strings
 * ({@link ByteStrings}), read from /proc/self where the kernel keeps them as they were passed
 * to execve: the JVM's own copies were decoded with the locale's charset, which loses bytes.
 */
public final class CallerBytes {
    private static final Path CMDLINE = Path.of("/proc/self/cmdline");
    private static final Path ENVIRON = Path.of("/proc/self/environ");

    private CallerBytes() {
    }

    /** main's arguments as the caller passed them. */
    public static String[] arguments(String[] given) {
        return arguments(read(CMDLINE), given);
    }

    /** This process's whole command line: the JVM's words, then main's arguments. */
    public static List<String> commandLine() {
        return words(read(CMDLINE));
    }

    /** The NAME=VALUE entries isolate was started with, in their order. */
    public static List<String> environ() {
        return words(read(ENVIRON));
    }

    /**
     * The last {@code given.length} words of a command line: main's arguments always end it,
     * whatever came before (the java program, its options, a main class or -jar). Each must
     * decode to what the JVM gave main, or this is not the command line they came from.
     */
    static String[] arguments(byte[] cmdline, String[] given) {
        List<String> words = words(cmdline);
        int first = words.size() - given.length;
        if (first < 1) {
            throw mismatch(words.size() + " words for " + given.length + " arguments");
        }
        // toArray(String[]::new) would spin a class at every start: a training run never gets here.
        String[] arguments = words.subList(first, words.size()).toArray(new String[0]);
        for (int i = 0; i < given.length; i++) {
            if (!ByteStrings.decodedByTheJvm(arguments[i]).equals(given[i])) {
                throw mismatch("argument " + (i + 1) + " differs");
            }
        }
        return arguments;
    }

    /** The environment isolate was started with; of a name given twice the first counts, as for getenv(3). */
    public static Map<String, String> environment() {
        return environment(environ());
    }

    static Map<String, String> environment(List<String> environ) {
        Map<String, String> environment = new LinkedHashMap<>();
        for (String entry : environ) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                environment.putIfAbsent(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return environment;
    }

    /** NUL-terminated words; an unterminated last one counts too. */
    static List<String> words(byte[] bytes) {
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                words.add(ByteStrings.of(bytes, start, i - start));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            words.add(ByteStrings.of(bytes, start, bytes.length - start));
        }
        return words;
    }

    private static byte[] read(Path file) {
        try {
            return SmallFiles.bytes(file);
        } catch (IOException e) {
            throw Failure.step(file + ": " + Failure.reason(e));
        }
    }

    private static Failure mismatch(String why) {
        return Failure.step(CMDLINE + " does not end with the arguments the JVM gave isolate (" + why + ")");
    }
}
