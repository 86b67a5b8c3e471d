package dev.isolate.state;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/** Signals by name, and sent to a recorded process only while it is that process. */
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
        throw Failure.input("signal \"" + signal + "\": use a number from 1 to " + NSIG + " or one of "
                + String.join(" ", new TreeSet<>(NAMES.keySet())));
    }

    /**
     * Sends {@code signal} to the process if it is still the one identified.
     *
     * @return false when it is gone
     */
    public static boolean send(ProcessIdentity process, int signal) {
        Optional<PinnedProcess> pinned = PinnedProcess.of(process);
        if (pinned.isEmpty()) {
            return false;
        }
        try (PinnedProcess target = pinned.get()) {
            return target.signal(signal);
        }
    }
}
