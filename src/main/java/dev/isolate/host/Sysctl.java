package dev.isolate.host;

import dev.isolate.sys.SmallFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads /proc/sys values (through SmallFiles, which reads to the end: JDK 17's Files.readString
 * sizes the read by the file's reported size, and these files read as their first byte).
 */
public final class Sysctl {
    private Sysctl() {
    }

    /** The value, without its newline; empty when this kernel has no such knob. */
    public static Optional<String> read(String file) {
        try {
            List<String> lines = SmallFiles.lines(Path.of(file));
            return Optional.of(lines.isEmpty() ? "" : lines.get(0).trim());
        } catch (IOException absent) {
            return Optional.empty();
        }
    }
}
