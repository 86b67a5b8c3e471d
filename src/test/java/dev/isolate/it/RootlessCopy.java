package dev.isolate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.CopyOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A copy of the built program that user nobody can read: the checkout itself may sit in a
 * directory only its owner can enter. Made once per test JVM and removed when it exits.
 */
final class RootlessCopy {
    private static Path script;

    private RootlessCopy() {
    }

    static synchronized Path script() {
        if (script == null) {
            try {
                Path root = Files.createTempDirectory("isolate-rootless");
                Path repo = Path.of("").toAbsolutePath();
                for (String part : List.of("scripts/isolate", "target/isolate.jar", "target/lib", "target/native")) {
                    copyTree(repo.resolve(part), root.resolve(part), StandardCopyOption.REPLACE_EXISTING);
                }
                try (Stream<Path> all = Files.walk(root)) {
                    for (Path p : all.toList()) {
                        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(
                                Files.isDirectory(p) || p.endsWith("isolate") ? "rwxr-xr-x" : "rw-r--r--"));
                    }
                }
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
                script = root.resolve("scripts/isolate");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return script;
    }

    /** Copies a file or a tree; {@code options} as Files.copy takes them, for each file. */
    static void copyTree(Path from, Path to, CopyOption... options) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, options);
                }
            }
        }
    }

    private static void delete(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
