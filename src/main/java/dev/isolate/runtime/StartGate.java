package dev.isolate.runtime;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The FIFO a created container's process waits at. Its last step before execve opens the
 * FIFO for writing, which blocks until start opens it for reading; it then writes one byte
 * and executes the command. The JVM that ran create is gone by then: the FIFO is what joins
 * the two commands, as in runc.
 */
public final class StartGate {
    /** How long start waits for the byte between two looks at whether the process still lives. */
    private static final int POLL_MILLISECONDS = 100;

    private StartGate() {
    }

    /**
     * Makes the FIFO (mode 600) and opens it with O_PATH: a descriptor that does not open the
     * FIFO itself (which would block), only names it for the child's open of /proc/self/fd/N.
     *
     * @return the descriptor, close-on-exec
     */
    public static int make(Path fifo) {
        Kernel kernel = Kernel.get();
        long made = kernel.withPath(ByteStrings.of(fifo), path -> kernel.call(Syscall.MKNODAT, AT_FDCWD, path,
                S_IFIFO | 0600, 0));
        if (made < 0) {
            throw Failure.step("start gate " + fifo + ": " + kernel.errorText((int) -made));
        }
        long fd = kernel.open(ByteStrings.of(fifo), O_PATH | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            throw Failure.step("start gate " + fifo + ": " + kernel.errorText((int) -fd));
        }
        return (int) fd;
    }

    /**
     * Lets the waiting process go: opens the FIFO for reading and takes its byte, while the
     * process is still {@code process} (a pid recycled meanwhile is not mistaken for it), then
     * removes the FIFO, which from then on marks the container as started.
     */
    public static void open(Path fifo, ProcessIdentity process, String id) {
        Kernel kernel = Kernel.get();
        long fd = kernel.open(ByteStrings.of(fifo), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
            throw Failure.step("start gate " + fifo + ": " + kernel.errorText((int) -fd));
        }
        try {
            awaitByte(kernel, (int) fd, process, id);
        } finally {
            kernel.close((int) fd);
        }
        try {
            Files.delete(fifo);
        } catch (IOException e) {
            throw Failure.step("start gate " + fifo + ": " + Failure.reason(e));
        }
    }

    private static void awaitByte(Kernel kernel, int fd, ProcessIdentity process, String id) {
        long pollfd = kernel.memory().allocateMemory(POLLFD_SIZE, true);
        long buffer = kernel.memory().allocateMemory(1, true);
        try {
            while (true) {
                kernel.memory().putInt(pollfd, fd);
                kernel.memory().putShort(pollfd + 4, POLLIN);
                kernel.memory().putShort(pollfd + 6, (short) 0);
                long ready = kernel.callRetrying(Syscall.POLL, pollfd, 1, POLL_MILLISECONDS);
                if (ready < 0) {
                    throw Failure.step("start gate: poll: " + kernel.errorText((int) -ready));
                }
                short events = kernel.memory().getShort(pollfd + 6);
                if ((events & POLLIN) != 0) {
                    long read = kernel.callRetrying(Syscall.READ, fd, buffer, 1);
                    if (read == 1) {
                        return;
                    }
                }
                // POLLHUP without a byte: the process opened the gate and closed it without writing.
                if ((events & POLLHUP) != 0 || !process.alive()) {
                    throw Failure.step("container " + id + ": its process (pid " + process.pid()
                            + ") ended before it was started");
                }
            }
        } finally {
            kernel.memory().freeMemory(pollfd);
            kernel.memory().freeMemory(buffer);
        }
    }
}
