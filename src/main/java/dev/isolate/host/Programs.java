package dev.isolate.host;

import dev.isolate.sys.ByteStrings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Programs isolate runs itself (helpers, network tools), found as the shell finds them. */
public final class Programs {
    private Programs() {
    }

    /**
     * The first executable {@code name} in the PATH of {@code environment} (byte strings, see
     * sys.ByteStrings); a name with a slash is a path already, as for the shell. The result is a
     * Java path's name, as ProcessBuilder takes it: a directory the JVM's charset cannot name
     * holds no program isolate could start, and is passed over.
     */
    public static Optional<String> onPath(String name, Map<String, String> environment) {
        if (name.contains("/")) {
            return ByteStrings.javaPath(name).filter(Programs::isExecutableFile).map(Path::toString);
        }
        for (String dir : environment.getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Optional<Path> candidate = ByteStrings.javaPath((dir.isEmpty() ? "." : dir) + "/" + name)
                    .filter(Programs::isExecutableFile);
            if (candidate.isPresent()) {
                return candidate.map(Path::toString);
            }
        }
        return Optional.empty();
    }

    private static boolean isExecutableFile(Path file) {
        return Files.isRegularFile(file) && Files.isExecutable(file);
    }
}
