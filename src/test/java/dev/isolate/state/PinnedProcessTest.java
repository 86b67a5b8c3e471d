package dev.isolate.state;

import static dev.isolate.linux.Linux.O_CLOEXEC;
import static dev.isolate.linux.Linux.SIGTERM;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A pinned process is that process only: checked by its start time, and through nothing else once it ends. */
class PinnedProcessTest {
    @Test
    void aProcessIsPinnedOnlyWhileItIsTheOneIdentified() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        ProcessIdentity identity = ProcessIdentity.of(sleeper.pid()).orElseThrow();
        assertEquals(Optional.empty(), PinnedProcess.of(new ProcessIdentity(identity.pid(), identity.startTime() + 1)),
                "another start time is another process");
        try (PinnedProcess pinned = PinnedProcess.pin(identity)) {
            long fd = pinned.open("ns/net", O_CLOEXEC);
            assertTrue(fd >= 0, "its namespaces can be opened through it");
            Kernel.get().call(Syscall.CLOSE, fd);
            assertEquals(Files.readSymbolicLink(Path.of("/proc", Long.toString(identity.pid()), "ns/net")),
                    Files.readSymbolicLink(pinned.path().resolve("ns/net")));

            assertTrue(pinned.signal(SIGTERM));
            sleeper.waitFor();
            // Ended and reaped: its pid may be anyone's now, but nothing leads through the pin to them.
            assertTrue(pinned.open("ns/net", O_CLOEXEC) < 0);
            assertFalse(Files.exists(pinned.path().resolve("ns")));
            assertFalse(pinned.signal(SIGTERM));
        }
        assertEquals(Optional.empty(), PinnedProcess.of(identity));
    }
}
