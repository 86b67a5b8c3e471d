package dev.isolate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Busybox root filesystems built with scripts/busybox-rootfs, once per test JVM, under a
 * directory whose name carries "isolate" (so {@link HostMounts} watches it) and that every
 * user may enter.
 */
final class TestImages {
    private static Path base;

    private TestImages() {
    }

    /** A fresh image owned by root, or by nobody for the rootless tests to write to. */
    static synchronized Path fresh(boolean ownedByNobody) {
        try {
            if (base == null) {
                base = Files.createTempDirectory(Path.of("/tmp"), "isolate-images");
                Files.setPosixFilePermissions(base, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
                Path root = base;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(root)));
            }
            Path image = Files.createTempDirectory(base, "busybox");
            run(List.of(Path.of("scripts/busybox-rootfs").toAbsolutePath().toString(), image.toString()));
            if (ownedByNobody) {
                run(List.of("chown", "-R", "65534:65534", image.toString()));
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void run(List<String> command) {
        Isolate.Result r = Isolate.exec(command, null);
        if (r.exit() != 0) {
            throw new IllegalStateException(command + ": " + r.err());
        }
    }

    /**
     * Best effort, with rm: Java cannot name the files BytesIT makes, whose names are bytes that
     * are not UTF-8, so Files.walk would leave them (and their directory) behind.
     */
    static void delete(Path tree) {
        Isolate.exec(List.of("rm", "-rf", "--one-file-system", tree.toString()), null);
    }
}
