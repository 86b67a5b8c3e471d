package dev.isolate.state;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process held by a descriptor of its /proc directory, taken only after its start time
 * matched. Whatever is opened or read through the descriptor belongs to that very process:
 * once it ends, lookups through it fail, even when a new process has its pid. The kernel
 * also takes such a descriptor as a pidfd, so a signal sent through it never reaches another
 * process either.
 */
public final class PinnedProcess implements AutoCloseable {
    private final Kernel kernel = Kernel.get();
    private final ProcessIdentity identity;
    private final int fd;

    private PinnedProcess(ProcessIdentity identity, int fd) {
        this.identity = identity;
        this.fd = fd;
    }

    /** The process, if it is still the one identified (and has not ended). */
    public static Optional<PinnedProcess> of(ProcessIdentity identity) {
        Kernel kernel = Kernel.get();
        long fd = kernel.open("/proc/" + identity.pid(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            return Optional.empty();
        }
        PinnedProcess pinned = new PinnedProcess(identity, (int) fd);
        // Checked through the descriptor, after it was opened: it holds the process checked.
        if (!ProcessIdentity.stat(pinned.path()).map(identity::matches).orElse(false)) {
            pinned.close();
            return Optional.empty();
        }
        return Optional.of(pinned);
    }

    /** {@link #of}, or the one-line error that the process is gone. */
    public static PinnedProcess pin(ProcessIdentity identity) {
        return of(identity).orElseThrow(() -> Failure.input("process " + identity.pid() + ": no such process"));
    }

    public ProcessIdentity identity() {
        return identity;
    }

    /** A path into the process's /proc directory, through the descriptor: for reading its entries. */
    public Path path() {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** openat(2) of one of the process's /proc entries, such as ns/net: a descriptor or -errno. */
    public long open(String entry, int flags) {
        return kernel.openAt(fd, entry, flags);
    }

    /**
     * Sends a signal to the process.
     *
     * @return false when it has ended
     */
    public boolean signal(int signal) {
        long result = kernel.call(Syscall.PIDFD_SEND_SIGNAL, fd, signal, 0, 0);
        if (result == -ESRCH) {
            return false;
        }
        if (result < 0) {
            throw Failure.step("signal " + signal + " to pid " + identity.pid() + ": "
                    + kernel.errorText((int) -result));
        }
        return true;
    }

    @Override
    public void close() {
        kernel.call(Syscall.CLOSE, fd);
    }
}
