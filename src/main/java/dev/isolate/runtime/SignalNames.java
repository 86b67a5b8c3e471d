package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import java.util.Locale;
import java.util.Map;

/**
 * kill's SIGNAL as runc takes it: a number, or any of Linux's names with or without SIG, in
 * any case, RTMIN+N and RTMAX-N included. Engines send numbers (podman and containerd's shim
 * both format the signal with strconv.Itoa); people type names.
 */
public final class SignalNames {
    private static final Map<String, Integer> NAMES = Map.ofEntries(
            Map.entry("HUP", 1), Map.entry("INT", 2), Map.entry("QUIT", 3), Map.entry("ILL", 4),
            Map.entry("TRAP", 5), Map.entry("ABRT", 6), Map.entry("IOT", 6), Map.entry("BUS", 7),
            Map.entry("FPE", 8), Map.entry("KILL", 9), Map.entry("USR1", 10), Map.entry("SEGV", 11),
            Map.entry("USR2", 12), Map.entry("PIPE", 13), Map.entry("ALRM", 14), Map.entry("TERM", 15),
            Map.entry("STKFLT", 16), Map.entry("CHLD", 17), Map.entry("CONT", 18), Map.entry("STOP", 19),
            Map.entry("TSTP", 20), Map.entry("TTIN", 21), Map.entry("TTOU", 22), Map.entry("URG", 23),
            Map.entry("XCPU", 24), Map.entry("XFSZ", 25), Map.entry("VTALRM", 26), Map.entry("PROF", 27),
            Map.entry("WINCH", 28), Map.entry("IO", 29), Map.entry("POLL", 29), Map.entry("PWR", 30),
            Map.entry("SYS", 31));
    private static final int RTMIN = 34;
    private static final int RTMAX = 64;

    private SignalNames() {
    }

    /** The signal's number, or a one-line error. */
    public static int parse(String signal) {
        String name = signal.toUpperCase(Locale.ROOT);
        name = name.startsWith("SIG") ? name.substring(3) : name;
        Integer known = NAMES.get(name);
        if (known != null) {
            return known;
        }
        int number = name.matches("[0-9]{1,2}") ? Integer.parseInt(name)
                : name.matches("RTMIN(\\+[0-9]{1,2})?") ? RTMIN + offset(name)
                : name.matches("RTMAX(-[0-9]{1,2})?") ? RTMAX - offset(name)
                : 0;
        if (number < 1 || number > RTMAX) {
            throw Failure.input("signal \"" + signal + "\": not a signal (a number from 1 to " + RTMAX
                    + ", or a name such as TERM, SIGKILL or RTMIN+3)");
        }
        return number;
    }

    private static int offset(String name) {
        int sign = Math.max(name.indexOf('+'), name.indexOf('-'));
        return sign < 0 ? 0 : Integer.parseInt(name.substring(sign + 1));
    }
}
