package dev.isolate.state;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/** Where isolate keeps what lasts only as long as the machine runs: state, overlay scratch space. */
public final class RuntimeDirectory {
    private RuntimeDirectory() {
    }

    /** /run/isolate for root; $XDG_RUNTIME_DIR/isolate, else a per-user directory in /tmp, for others. */
    static Path of(long uid, Map<String, String> environment) {
        if (uid == 0) {
            return Path.of("/run/isolate");
        }
        String runtime = environment.get("XDG_RUNTIME_DIR");
        if (runtime != null && Path.of(runtime).isAbsolute()) {
            return Path.of(runtime, "isolate");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "isolate-" + uid);
    }

    /**
     * {@code name} inside the runtime directory, both created (mode 700) if need be. Under a
     * shared /tmp someone else may have made the runtime directory first, or put a link
     * there: then it is refused.
     */
    public static Path subdirectory(long uid, Map<String, String> environment, String name) {
        Path base = of(uid, environment);
        try {
            var privateMode = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
            if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(base, privateMode);
            }
            int owner = (Integer) Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (owner != uid || Files.isSymbolicLink(base)) {
                throw Failure.input("runtime directory " + base + ": belongs to someone else");
            }
            return Files.createDirectories(base.resolve(name), privateMode);
        } catch (IOException e) {
            throw Failure.step("runtime directory " + base + ": " + Failure.reason(e));
        }
    }
}
