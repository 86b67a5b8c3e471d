package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A file replaced whole: written under a temporary name beside it (mode 600), then renamed over it. */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** {@code text} is a byte string, written as its bytes. */
    public static void write(Path target, String text) {
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
            Files.write(temporary, text.getBytes(StandardCharsets.ISO_8859_1));
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // the error below is the one to report
                }
            }
            throw Failure.step(target + ": " + Failure.reason(e));
        }
    }
}
