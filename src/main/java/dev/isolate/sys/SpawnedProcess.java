package dev.isolate.sys;

import com.kenai.jffi.MemoryIO;
import dev.isolate.linux.Linux;
import java.util.List;

/**
 * A program started with posix_spawnp(3), whose arguments and environment are byte strings
 * ({@link ByteStrings}) passed as they are. ProcessBuilder cannot do that: since JDK 18 it
 * encodes them with the locale's charset, which turns every byte it cannot map into '?'.
 * glibc's posix_spawn runs no Java in the child (it clones with its own stack and execs).
 *
 * <p>The child starts in a session of its own, with no signal blocked, the three descriptors
 * it is given as its stdin, stdout and stderr, and no other descriptor of this JVM's
 * (closefrom 3).
 */
public final class SpawnedProcess {
    /** sizeof(posix_spawn_file_actions_t) and sizeof(posix_spawnattr_t) are 80 and 336 in glibc: room to spare. */
    private static final int OPAQUE = 512;

    private final Kernel kernel;
    private final long pid;
    private int waitStatus = -1;

    private SpawnedProcess(Kernel kernel, long pid) {
        this.kernel = kernel;
        this.pid = pid;
    }

    /**
     * @param argv        the program (looked up in the PATH of isolate's JVM, as execvp does) and its arguments
     * @param environment NAME=VALUE entries
     * @param stdio       the descriptors that become its 0, 1 and 2 (each above 2, close-on-exec or not)
     * @return the process, or the errno of posix_spawnp
     */
    public static Kernel.Result<SpawnedProcess> start(List<String> argv, List<String> environment, int... stdio) {
        if (stdio.length != 3) {
            throw new IllegalArgumentException("stdin, stdout and stderr: " + stdio.length + " descriptors");
        }
        Kernel kernel = Kernel.get();
        MemoryIO memory = kernel.memory();
        try (NativeStrings natives = new NativeStrings(memory)) {
            long actions = natives.allocate(OPAQUE);
            long attributes = natives.allocate(OPAQUE);
            long pid = natives.allocate(8);
            long argvArray = natives.array(argv);
            long envArray = natives.array(environment);
            check(kernel, "posix_spawn_file_actions_init", actions);
            try {
                for (int target = 0; target < 3; target++) {
                    check(kernel, "posix_spawn_file_actions_adddup2", actions, stdio[target], target);
                }
                check(kernel, "posix_spawn_file_actions_addclosefrom_np", actions, 3);
                check(kernel, "posix_spawnattr_init", attributes);
                try {
                    // The attributes start with an empty signal mask: SETSIGMASK hands the child that.
                    check(kernel, "posix_spawnattr_setflags", attributes,
                            Linux.POSIX_SPAWN_SETSID | Linux.POSIX_SPAWN_SETSIGMASK);
                    int errno = (int) kernel.callFunction(kernel.function("posix_spawnp"), pid,
                            memory.getAddress(argvArray), actions, attributes, argvArray, envArray);
                    if (errno != 0) {
                        return new Kernel.Result<>(null, errno);
                    }
                    return new Kernel.Result<>(new SpawnedProcess(kernel, memory.getInt(pid)), 0);
                } finally {
                    kernel.callFunction(kernel.function("posix_spawnattr_destroy"), attributes);
                }
            } finally {
                kernel.callFunction(kernel.function("posix_spawn_file_actions_destroy"), actions);
            }
        }
    }

    /**
     * A program that ran to its end: its wait status, what it printed on stdout and on stderr,
     * and whether it read all of its input.
     */
    public record Outcome(int waitStatus, byte[] out, byte[] err, boolean readAllInput) {
    }

    /**
     * Runs a program to its end with this input on stdin and its stdout and stderr kept, each
     * in a memory file: no pipe fills, so no thread has to drain one while it runs, and its
     * stdin shares the input file's offset, which tells how far it read.
     *
     * @return what it did, or the errno of what failed to start it or to read what it printed
     */
    public static Kernel.Result<Outcome> run(List<String> argv, List<String> environment, byte[] input) {
        String name = argv.get(0).substring(argv.get(0).lastIndexOf('/') + 1);
        Kernel.Result<MemoryFile> in = MemoryFile.holding(name + "-input", input);
        if (!in.ok()) {
            return new Kernel.Result<>(null, in.errno());
        }
        try (MemoryFile stdin = in.value()) {
            Kernel.Result<MemoryFile> out = MemoryFile.create(name + "-output");
            if (!out.ok()) {
                return new Kernel.Result<>(null, out.errno());
            }
            try (MemoryFile stdout = out.value()) {
                Kernel.Result<MemoryFile> err = MemoryFile.create(name + "-errors");
                if (!err.ok()) {
                    return new Kernel.Result<>(null, err.errno());
                }
                try (MemoryFile stderr = err.value()) {
                    Kernel.Result<SpawnedProcess> started = start(argv, environment, stdin.fd(), stdout.fd(),
                            stderr.fd());
                    if (!started.ok()) {
                        return new Kernel.Result<>(null, started.errno());
                    }
                    int status = started.value().waitFor();
                    Kernel.Result<byte[]> printed = stdout.contents();
                    Kernel.Result<byte[]> complained = stderr.contents();
                    if (!printed.ok() || !complained.ok()) {
                        return new Kernel.Result<>(null, printed.ok() ? complained.errno() : printed.errno());
                    }
                    return new Kernel.Result<>(new Outcome(status, printed.value(), complained.value(),
                            stdin.offset() >= input.length), 0);
                }
            }
        }
    }

    public long pid() {
        return pid;
    }

    /** Whether it still runs; once it has ended it is reaped, and its status kept. */
    public boolean alive() {
        return waitStatus < 0 && !reaped(Linux.WNOHANG);
    }

    /** Waits for its end: the wait status, as wait(2) gives it. */
    public int waitFor() {
        if (waitStatus < 0) {
            reaped(0);
        }
        return waitStatus;
    }

    private boolean reaped(int options) {
        long status = kernel.memory().allocateMemory(8, true);
        try {
            long result = kernel.callRetrying(Syscall.WAIT4, pid, status, options, 0);
            if (result == pid) {
                waitStatus = kernel.memory().getInt(status);
                return true;
            }
            if (result < 0) {
                throw new IllegalStateException("wait4 " + pid + ": " + kernel.errorText((int) -result));
            }
            return false;
        } finally {
            kernel.memory().freeMemory(status);
        }
    }

    private static void check(Kernel kernel, String function, long... args) {
        int errno = (int) kernel.callFunction(kernel.function(function), args);
        if (errno != 0) {
            throw new IllegalStateException(function + ": " + kernel.errorText(errno));
        }
    }
}
