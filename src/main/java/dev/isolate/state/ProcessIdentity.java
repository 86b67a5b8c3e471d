package dev.isolate.state;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as a pid plus its start time (in clock ticks since boot, /proc/PID/stat field
 * 22): a recycled pid has a different start time, so a record never mistakes a new
 * process for the one it names.
 */
public record ProcessIdentity(long pid, long startTime) {
    /** The process with this pid now, if there is one (it may have ended and wait to be reaped). */
    public static Optional<ProcessIdentity> of(long pid) {
        return stat(pid).map(fields -> new ProcessIdentity(pid, Long.parseLong(fields[19])));
    }

    /** This very process exists and has not ended (a zombie has). */
    public boolean alive() {
        return stat(pid).filter(fields -> !fields[0].equals("Z") && !fields[0].equals("X"))
                .map(fields -> Long.parseLong(fields[19]) == startTime).orElse(false);
    }

    /** The fields of /proc/PID/stat from the third (the state) on. */
    private static Optional<String[]> stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // The command name (field 2) may hold spaces and parentheses: count from its end.
            return Optional.of(stat.substring(stat.lastIndexOf(')') + 2).split(" "));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
