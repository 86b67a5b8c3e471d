package dev.isolate.host;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Programs isolate runs itself (helpers, network tools), found as the shell finds them. */
public final class Programs {
    private Programs() {
    }

    /**
     * The first executable {@code name} in the PATH of {@code environment}; a name with a
     * slash is a path already, as for the shell.
     */
    public static Optional<String> onPath(String name, Map<String, String> environment) {
        if (name.contains("/")) {
            return Optional.of(name).filter(Programs::isExecutableFile);
        }
        for (String dir : environment.getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (isExecutableFile(candidate.toString())) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    private static boolean isExecutableFile(String path) {
        Path file = Path.of(path);
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
