package dev.isolate.terminal;

import static dev.isolate.linux.Linux.*;

import com.kenai.jffi.MemoryIO;
import dev.isolate.exit.Failure;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import dev.isolate.sys.Trampoline;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * isolate's side of -t: the command's pseudo-terminal, whose master the parent took from the
 * child, relayed to isolate's own stdin and stdout. While it relays, the caller's terminal (fd
 * 0, when it is one) is in raw mode, so that every key reaches the command's terminal, which
 * does the echoing, line editing and signals itself; {@link #close} puts it back, whichever way
 * the launch ends. A window size change (SIGWINCH to isolate) is copied to the master, and so is
 * the size at the start; end-of-file on stdin becomes the terminal's end-of-file character, as
 * typing it would (in canonical mode: a raw-mode program has no end-of-file on a terminal).
 *
 * <p>One thread, one poll(2) over stdin, the master, a pidfd of the command and a pipe the
 * signal notifier writes to ({@link Trampoline#notifyOf}): no Java runs in a signal handler.
 * When the command ends, what it wrote is drained from the master before the relay returns.
 */
public final class TerminalRelay implements AutoCloseable {
    private static final int STDIN = 0;
    private static final int STDOUT = 1;
    private static final int BUFFER = 65536;

    private final Kernel kernel = Kernel.get();
    private final MemoryIO memory = kernel.memory();
    /** Where the master's output and stdin's input pass through, and the structs poll and ioctl fill. */
    private final long output = memory.allocateMemory(BUFFER, false);
    private final long input = memory.allocateMemory(BUFFER, false);
    private final long scratch = memory.allocateMemory(4 * POLLFD_SIZE, true);
    /** A struct termios or winsize for one ioctl. */
    private final long argument = memory.allocateMemory(TERMIOS_SIZE, true);
    private final long savedModes = memory.allocateMemory(TERMIOS_SIZE, true);
    private final Consumer<Supplier<String>> diagnostics;
    private final String devpts;
    private int master = -1;
    private boolean raw;
    private Trampoline trampoline;
    private int[] signals;
    /** Input read from stdin and not yet written to the master: [inputStart, inputEnd) of {@link #input}. */
    private int inputStart;
    private int inputEnd;
    /** The last byte written to the master, for end-of-file at the start of a line. */
    private int lastInput = '\n';
    /** stdout failed (a closed pipe, say): the command's output is still read, and dropped. */
    private boolean outputGone;

    /**
     * @param devpts which devpts the child opened the terminal from, for -v
     */
    public TerminalRelay(String devpts, Consumer<Supplier<String>> diagnostics) {
        this.devpts = devpts;
        this.diagnostics = diagnostics;
    }

    /**
     * The master, taken from the child while it waits: it becomes non-blocking (the child's copy is
     * closed at exec) and gets the caller's window size, so the command starts with it.
     */
    public void attach(int masterFd) {
        master = masterFd;
        long flags = kernel.call(Syscall.FCNTL, master, F_GETFL);
        check(flags, "terminal: fcntl(F_GETFL)");
        check(kernel.call(Syscall.FCNTL, master, F_SETFL, flags | O_NONBLOCK), "terminal: fcntl(F_SETFL)");
        copyWindowSize();
        if (kernel.call(Syscall.IOCTL, master, TIOCGPTN, scratch) == 0) {
            int number = memory.getInt(scratch);
            diagnostics.accept(() -> "terminal: pseudo-terminal " + number + " of " + devpts + " (its /dev/pts/"
                    + number + "), relayed to isolate's stdin and stdout" + (isTerminal(STDIN)
                    ? ", the caller's terminal in raw mode meanwhile" : " (stdin is no terminal: no raw mode)"));
        }
    }

    /**
     * Relays until the command {@code pid} (isolate's child, not yet reaped) has ended and its
     * output is drained.
     */
    public void relay(int pid) {
        if (master < 0) {
            throw new IllegalStateException("no terminal was taken from the child");
        }
        long pidfd = kernel.call(Syscall.PIDFD_OPEN, pid, 0);
        check(pidfd, "terminal: pidfd_open");
        try {
            notifyWindowChanges();
            copyWindowSize(); // in case it changed before the notifier was there
            enterRawMode();
            loop((int) pidfd);
            drain();
        } finally {
            kernel.close((int) pidfd);
        }
    }

    private void loop(int pidfd) {
        boolean stdinOpen = true;
        boolean masterOpen = true;
        while (true) {
            int count = 0;
            int stdinAt = -1;
            int masterAt = -1;
            boolean wantStdin = stdinOpen && inputStart == inputEnd;
            if (wantStdin) {
                stdinAt = count;
                pollfd(count++, STDIN, POLLIN);
            }
            if (masterOpen) {
                masterAt = count;
                pollfd(count++, master, (short) (POLLIN | (inputStart < inputEnd ? POLLOUT : 0)));
            }
            int pidfdAt = count;
            pollfd(count++, pidfd, POLLIN);
            int signalsAt = count;
            pollfd(count++, signals[0], POLLIN);
            long ready = kernel.call(Syscall.POLL, scratch, count, -1);
            if (ready == -EINTR) {
                continue;
            }
            check(ready, "terminal: poll");
            if (revents(signalsAt) != 0) {
                while (kernel.call(Syscall.READ, signals[0], output, BUFFER) > 0) {
                    // one size copy answers every signal so far
                }
                copyWindowSize();
            }
            if (masterAt >= 0 && (revents(masterAt) & (POLLIN | POLLHUP | POLLERR)) != 0) {
                masterOpen = copyOutput();
            }
            if (masterAt >= 0 && masterOpen && (revents(masterAt) & POLLOUT) != 0) {
                masterOpen = writeInput();
            }
            if (stdinAt >= 0 && revents(stdinAt) != 0) {
                stdinOpen = readInput();
                if (masterOpen && inputStart < inputEnd) {
                    masterOpen = writeInput();
                }
            }
            if (revents(pidfdAt) != 0) {
                return;
            }
        }
    }

    /** One read of the master to stdout; false once no one holds the terminal's peer (EIO). */
    private boolean copyOutput() {
        long got = kernel.call(Syscall.READ, master, output, BUFFER);
        if (got == -EAGAIN || got == -EINTR) {
            return true;
        }
        if (got <= 0) {
            return false;
        }
        writeOut(got);
        return true;
    }

    /** What the command wrote before it ended, until the master has nothing more. */
    private void drain() {
        long got;
        while ((got = kernel.call(Syscall.READ, master, output, BUFFER)) > 0 || got == -EINTR) {
            if (got > 0) {
                writeOut(got);
            }
        }
    }

    private void writeOut(long length) {
        long done = 0;
        while (!outputGone && done < length) {
            long wrote = kernel.call(Syscall.WRITE, STDOUT, output + done, length - done);
            if (wrote == -EINTR) {
                continue;
            }
            if (wrote == -EAGAIN) { // the caller left its stdout non-blocking: wait until it takes more
                pollfd(0, STDOUT, POLLOUT);
                kernel.call(Syscall.POLL, scratch, 1, -1);
                continue;
            }
            if (wrote < 0) {
                outputGone = true;
                diagnostics.accept(() -> "terminal: stdout: " + kernel.errorText((int) -wrote)
                        + "; the command's output is dropped from now on");
            } else {
                done += wrote;
            }
        }
    }

    /** One read of stdin; at end-of-file, the end-of-file character goes to the master instead. */
    private boolean readInput() {
        long got = kernel.call(Syscall.READ, STDIN, input, BUFFER - 2);
        if (got == -EINTR || got == -EAGAIN) {
            return true;
        }
        inputStart = 0;
        if (got > 0) {
            inputEnd = (int) got;
            return true;
        }
        inputEnd = 0;
        if (kernel.call(Syscall.IOCTL, master, TCGETS, argument) == 0) {
            byte[] current = new byte[TERMIOS_SIZE];
            memory.getByteArray(argument, current, 0, TERMIOS_SIZE);
            if (TerminalModes.canonical(current)) {
                byte eof = TerminalModes.endOfFile(current);
                // As typed: a first one ends a line that has no newline yet, the next is end-of-file.
                if (lastInput != '\n') {
                    memory.putByte(input + inputEnd++, eof);
                }
                memory.putByte(input + inputEnd++, eof);
            }
        }
        diagnostics.accept(() -> "terminal: end of stdin" + (inputEnd > 0 ? ", passed on as end-of-file" : ""));
        return false;
    }

    /** Writes what it can of the pending input; false once no one holds the terminal's peer. */
    private boolean writeInput() {
        long wrote = kernel.call(Syscall.WRITE, master, input + inputStart, inputEnd - inputStart);
        if (wrote == -EAGAIN || wrote == -EINTR) {
            return true;
        }
        if (wrote < 0) {
            inputStart = inputEnd;
            return false;
        }
        inputStart += (int) wrote;
        lastInput = memory.getByte(input + inputStart - 1) & 0xff;
        return true;
    }

    private void pollfd(int index, int fd, short events) {
        long at = scratch + (long) index * POLLFD_SIZE;
        memory.putInt(at, fd);
        memory.putShort(at + 4, events);
        memory.putShort(at + 6, (short) 0);
    }

    private int revents(int index) {
        return memory.getShort(scratch + (long) index * POLLFD_SIZE + 6);
    }

    /** SIGWINCH to isolate: a byte on a pipe this relay polls, through the trampoline's notifier. */
    private void notifyWindowChanges() {
        long pipe = memory.allocateMemory(8, true);
        try {
            check(kernel.call(Syscall.PIPE2, pipe, O_CLOEXEC | O_NONBLOCK), "terminal: pipe2");
            signals = new int[] {memory.getInt(pipe), memory.getInt(pipe + 4)};
        } finally {
            memory.freeMemory(pipe);
        }
        trampoline = Trampoline.load(kernel);
        trampoline.notifyTo(signals[1]);
        trampoline.notifyOf(SIGWINCH);
    }

    /** The window size of the caller's terminal (stdin's, else stdout's), if it has one, onto the master. */
    private void copyWindowSize() {
        for (int fd : new int[] {STDIN, STDOUT}) {
            if (kernel.call(Syscall.IOCTL, fd, TIOCGWINSZ, argument) == 0) {
                check(kernel.call(Syscall.IOCTL, master, TIOCSWINSZ, argument), "terminal: TIOCSWINSZ");
                return;
            }
        }
    }

    private boolean isTerminal(int fd) {
        return kernel.call(Syscall.IOCTL, fd, TCGETS, argument) == 0;
    }

    /** cfmakeraw(3) on stdin, when it is a terminal; its modes are kept for {@link #close}. */
    private void enterRawMode() {
        if (kernel.call(Syscall.IOCTL, STDIN, TCGETS, savedModes) != 0) {
            return;
        }
        byte[] saved = new byte[TERMIOS_SIZE];
        memory.getByteArray(savedModes, saved, 0, TERMIOS_SIZE);
        memory.putByteArray(argument, TerminalModes.raw(saved), 0, TERMIOS_SIZE);
        check(kernel.call(Syscall.IOCTL, STDIN, TCSETS, argument), "terminal: raw mode on stdin");
        raw = true;
    }

    /** The caller's terminal as it was, the notifier stopped, every descriptor of the relay's closed. */
    @Override
    public void close() {
        if (raw) {
            kernel.call(Syscall.IOCTL, STDIN, TCSETS, savedModes);
            raw = false;
        }
        if (trampoline != null) {
            trampoline.notifyTo(-1); // before the pipe's number can be anyone else's
        }
        if (signals != null) {
            kernel.close(signals[0]);
            kernel.close(signals[1]);
            signals = null;
        }
        memory.freeMemory(output);
        memory.freeMemory(input);
        memory.freeMemory(scratch);
        memory.freeMemory(argument);
        memory.freeMemory(savedModes);
    }

    private void check(long result, String what) {
        if (result < 0) {
            throw Failure.step(what + ": " + kernel.errorText((int) -result));
        }
    }
}
