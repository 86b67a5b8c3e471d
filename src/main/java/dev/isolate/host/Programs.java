package dev.isolate.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Programs isolate runs itself (helpers, network tools), found as the shell finds them. */
public final class Programs {
    private Programs() {
    }

    /** The first executable {@code name} in the PATH of {@code environment}. */
    public static Optional<String> onPath(String name, Map<String, String> environment) {
        for (String dir : environment.getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }
}
