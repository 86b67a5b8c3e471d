package dev.isolate.state;

import dev.isolate.sys.Kernel;
import dev.isolate.sys.SmallFiles;
import dev.isolate.sys.Syscall;
import java.io.IOException;
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
        return stat(procDirectory(pid)).map(stat -> new ProcessIdentity(pid, stat.startTime()));
    }

    /**
     * This isolate. Its pid from getpid(2) rather than ProcessHandle, whose first use sets up
     * the JDK's process reaper (an executor, /proc/stat for the boot time): milliseconds of
     * every launch that prepares an overlay, a network or a record.
     */
    public static ProcessIdentity self() {
        return of(Kernel.get().call(Syscall.GETPID)).orElseThrow();
    }

    /**
     * Written out because named launches and networks compare identities: the generated equals
     * and hashCode would spin method handles (java.lang.runtime.ObjectMethods) at their first call.
     */
    @Override
    public boolean equals(Object other) {
        return other instanceof ProcessIdentity identity && identity.pid == pid && identity.startTime == startTime;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(pid) * 31 + Long.hashCode(startTime);
    }

    /** This very process exists and has not ended (a zombie has). */
    public boolean alive() {
        return stat(procDirectory(pid)).map(this::matches).orElse(false);
    }

    /** Whether a /proc directory's stat shows this process, running. */
    boolean matches(Stat stat) {
        return stat.startTime() == startTime && !stat.state().equals("Z") && !stat.state().equals("X");
    }

    private static Path procDirectory(long pid) {
        return Path.of("/proc", Long.toString(pid));
    }

    record Stat(String state, long startTime) {
    }

    /** The state and start time in a /proc directory's stat, if it can be read. */
    static Optional<Stat> stat(Path procDirectory) {
        try {
            String stat = SmallFiles.text(procDirectory.resolve("stat"));
            // The command name (field 2) may hold spaces and parentheses: count from its end.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new Stat(fields[0], Long.parseLong(fields[19])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
