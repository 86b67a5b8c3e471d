package dev.isolate.state;

import java.nio.file.Path;
import java.util.Map;

/** Where isolate keeps what lasts only as long as the machine runs: state, overlay scratch space. */
public final class RuntimeDirectory {
    private RuntimeDirectory() {
    }

    /** /run/isolate for root; $XDG_RUNTIME_DIR/isolate, else a per-user directory in /tmp, for others. */
    public static Path of(long uid, Map<String, String> environment) {
        if (uid == 0) {
            return Path.of("/run/isolate");
        }
        String runtime = environment.get("XDG_RUNTIME_DIR");
        if (runtime != null && Path.of(runtime).isAbsolute()) {
            return Path.of(runtime, "isolate");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "isolate-" + uid);
    }
}
