package dev.isolate.runtime;

import static dev.isolate.linux.Linux.EEXIST;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
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
        replace(target, text, false);
    }

    /** {@link #write} of a file that must not exist yet: an existing one is left alone and the write refused. */
    public static void create(Path target, String text) {
        replace(target, text, true);
    }

    private static void replace(Path target, String text, boolean onlyNew) {
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = null;
        try {
            temporary = Files.createTempFile(directory, "." + target.getFileName(), ".tmp");
            Files.write(temporary, text.getBytes(StandardCharsets.ISO_8859_1));
            if (onlyNew) {
                Path from = temporary;
                long renamed = Kernel.get().renameNoReplace(ByteStrings.of(from), ByteStrings.of(target));
                if (renamed < 0) {
                    Files.deleteIfExists(temporary);
                    throw Failure.input(target + ": " + (renamed == -EEXIST ? "exists already: remove it first"
                            : Kernel.get().errorText((int) -renamed)));
                }
            } else {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
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
