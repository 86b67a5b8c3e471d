package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.sys.Kernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate with a shell in the container process's place: it opens the FIFO for writing and writes its byte. */
class StartGateTest {
    @TempDir
    Path directory;

    @Test
    void theGateIsAPrivateFifoHeldByAPathDescriptor() throws IOException {
        Path fifo = directory.resolve("exec.fifo");
        int fd = StartGate.make(fifo);
        try {
            int mode = (Integer) Files.getAttribute(fifo, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            assertEquals(0010000, mode & 0170000, "a FIFO");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fifo)));
            assertTrue(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).endsWith("exec.fifo"));
        } finally {
            Kernel.get().close(fd);
        }
    }

    @Test
    void startTakesTheByteTheWaiterWritesAndRemovesTheGate() throws Exception {
        Path fifo = directory.resolve("exec.fifo");
        Kernel.get().close(StartGate.make(fifo));
        Process waiter = new ProcessBuilder("sh", "-c", "printf x > \"$0\" && echo released", fifo.toString())
                .start();
        StartGate.open(fifo, ProcessIdentity.of(waiter.pid()).orElseThrow(), "c1");
        assertTrue(waiter.waitFor(5, TimeUnit.SECONDS));
        assertEquals("released\n", new String(waiter.getInputStream().readAllBytes()));
        assertFalse(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aProcessThatEndsBeforeItsStartIsReported() throws Exception {
        Path fifo = directory.resolve("exec.fifo");
        Kernel.get().close(StartGate.make(fifo));
        Process waiter = new ProcessBuilder("sleep", "0.3").start();
        ProcessIdentity identity = ProcessIdentity.of(waiter.pid()).orElseThrow();
        Failure failure = assertThrows(Failure.class, () -> StartGate.open(fifo, identity, "c1"));
        assertEquals("container c1: its process (pid " + waiter.pid() + ") ended before it was started",
                failure.getMessage());
        // the gate is left for delete, which sees the container stopped
        assertTrue(Files.exists(fifo, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void aWriterThatClosesWithoutItsByteIsReported() throws Exception {
        Path fifo = directory.resolve("exec.fifo");
        Kernel.get().close(StartGate.make(fifo));
        Process waiter = new ProcessBuilder("sh", "-c", ": > \"$0\"; exec sleep 5", fifo.toString()).start();
        try {
            ProcessIdentity identity = ProcessIdentity.of(waiter.pid()).orElseThrow();
            Failure failure = assertThrows(Failure.class, () -> StartGate.open(fifo, identity, "c1"));
            assertTrue(failure.getMessage().endsWith("ended before it was started"), failure.getMessage());
        } finally {
            waiter.destroyForcibly();
        }
    }
}
