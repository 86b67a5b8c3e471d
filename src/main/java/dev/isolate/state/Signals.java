package dev.isolate.state;

import static dev.isolate.sys.Linux.*;

import dev.isolate.spec.SpecException;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.util.Locale;
import java.util.Map;

/** Signals sent to a recorded process through a pidfd, so a recycled pid is never hit. */
public final class Signals {
    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("HUP", SIGHUP), Map.entry("INT", SIGINT), Map.entry("QUIT", SIGQUIT),
            Map.entry("KILL", SIGKILL), Map.entry("USR1", SIGUSR1), Map.entry("USR2", SIGUSR2),
            Map.entry("TERM", SIGTERM), Map.entry("CONT", SIGCONT), Map.entry("STOP", SIGSTOP),
            Map.entry("WINCH", SIGWINCH));

    private Signals() {
    }

    /** KILL, SIGKILL, kill or 9. */
    public static int parse(String signal) {
        String name = signal.toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        if (NAMES.containsKey(name)) {
            return NAMES.get(name);
        }
        if (signal.matches("[0-9]{1,2}") && Integer.parseInt(signal) >= 1 && Integer.parseInt(signal) <= NSIG) {
            return Integer.parseInt(signal);
        }
        throw new SpecException("signal \"" + signal + "\": use a number from 1 to " + NSIG + " or one of "
                + String.join(" ", new java.util.TreeSet<>(NAMES.keySet())));
    }

    /**
     * Sends {@code signal} to the process if it is still the one identified.
     *
     * @return false when it is gone
     */
    public static boolean send(ProcessIdentity process, int signal) {
        Kernel kernel = Kernel.get();
        long pidfd = kernel.call(Syscall.PIDFD_OPEN, process.pid(), 0);
        if (pidfd < 0) {
            return false;
        }
        try {
            // The pidfd pins this pid: checked now, it cannot be another process's when we send.
            if (!process.alive()) {
                return false;
            }
            long result = kernel.call(Syscall.PIDFD_SEND_SIGNAL, pidfd, signal, 0, 0);
            if (result == -ESRCH) {
                return false;
            }
            if (result < 0) {
                throw new SpecException("signal " + signal + " to pid " + process.pid() + ": "
                        + kernel.errorText((int) -result));
            }
            return true;
        } finally {
            kernel.call(Syscall.CLOSE, pidfd);
        }
    }
}
