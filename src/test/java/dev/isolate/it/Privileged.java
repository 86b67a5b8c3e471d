package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Integration tests need root; without it they skip, except under CI, where that is a failure. */
final class Privileged {
    private Privileged() {
    }

    static void requireRoot() {
        if (effectiveUid() == 0) {
            return;
        }
        String reason = "this test creates namespaces and needs root (run the suite with sudo)";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + "; under CI=true a skipped privileged test is a failure");
        }
        Assumptions.abort(reason);
    }

    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Integer.parseInt(line.split("\\s+")[2]);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException("no Uid line in /proc/self/status");
    }
}
