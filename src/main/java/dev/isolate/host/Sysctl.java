package dev.isolate.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads /proc/sys values. Files.readString must not be used on them: JDK 17 sizes the read by
 * the file's reported size, and these files read as their first byte ("40" comes back as "4").
 */
public final class Sysctl {
    private Sysctl() {
    }

    /** The value, without its newline; empty when this kernel has no such knob. */
    public static Optional<String> read(String file) {
        try {
            List<String> lines = Files.readAllLines(Path.of(file));
            return Optional.of(lines.isEmpty() ? "" : lines.get(0).trim());
        } catch (IOException absent) {
            return Optional.empty();
        }
    }
}
