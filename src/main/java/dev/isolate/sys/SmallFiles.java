package dev.isolate.sys;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The kernel's small files (/proc, /sys, cgroupfs) and isolate's own index files, read whole
 * through java.io. java.nio's Files.readString and readAllLines open a FileChannel, whose
 * first use loads libnio and sets up the channel classes: 1.5-3 ms of every start, interpreted,
 * before the first byte is read. Each read goes to the end of the file, whatever size the
 * file reports (a /proc file's is 0). A file that cannot be opened is a FileNotFoundException,
 * whose message names the file and the reason (see exit.Failure.reason).
 */
public final class SmallFiles {
    private SmallFiles() {
    }

    public static byte[] bytes(Path file) throws IOException {
        try (FileInputStream in = new FileInputStream(file.toFile())) {
            return in.readAllBytes();
        }
    }

    /** The file as UTF-8, as Files.readString reads it (a malformed byte becomes U+FFFD). */
    public static String text(Path file) throws IOException {
        return new String(bytes(file), StandardCharsets.UTF_8);
    }

    /** Its lines, as Files.readAllLines splits them. */
    public static List<String> lines(Path file) throws IOException {
        return text(file).lines().toList();
    }
}
