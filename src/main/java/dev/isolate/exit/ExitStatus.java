package dev.isolate.exit;

import static dev.isolate.linux.Linux.ENOENT;
import static dev.isolate.linux.Linux.ENOTDIR;

/** isolate's exit statuses: the command's own, or the docker run / env / timeout convention. */
public final class ExitStatus {
    /** isolate itself failed: bad input, missing privilege, a setup step. */
    public static final int SETUP_FAILED = 125;
    /** The command exists but cannot be executed. */
    public static final int CANNOT_EXECUTE = 126;
    /** The command was not found. */
    public static final int NOT_FOUND = 127;
    /** Added to the number of the signal that killed the command. */
    public static final int SIGNALLED = 128;

    private ExitStatus() {
    }

    /** The status for a wait(2) status word: the exit code, or 128+N for death by signal N. */
    public static int of(int waitStatus) {
        int signal = waitStatus & 0x7f;
        return signal == 0 ? (waitStatus >> 8) & 0xff : SIGNALLED + signal;
    }

    /** The status for an execve that failed with {@code errno}. */
    public static int ofExecError(int errno) {
        return errno == ENOENT || errno == ENOTDIR ? NOT_FOUND : CANNOT_EXECUTE;
    }
}
