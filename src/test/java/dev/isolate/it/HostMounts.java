package dev.isolate.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host's mounts that an isolate leak would add to: anything on /proc (a container's
 * fresh proc) and anything the tests mount, whose source names carry "isolate". Comparing
 * only these keeps unrelated mounts on a shared machine from failing a test.
 */
final class HostMounts {
    private HostMounts() {
    }

    static List<String> snapshot() {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(line -> {
                        String mountPoint = line.split(" ")[4];
                        return mountPoint.equals("/proc") || mountPoint.startsWith("/proc/") || line.contains("isolate");
                    })
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
