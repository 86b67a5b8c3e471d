package dev.isolate.runtime;

import java.util.Locale;

/** A container's status as the runtime spec names them. */
public enum Status {
    /** create has not finished: the process may exist, its set-up is under way. */
    CREATING,
    /** Set up, its process waiting at the start gate. */
    CREATED,
    /** Its process runs the user's program. */
    RUNNING,
    /** Its process has ended, or the create that made it was killed before it finished. */
    STOPPED;

    /**
     * The status from what can be seen now. It is computed every time, never stored: the
     * container's process is not isolate-runtime's child and can end at any moment.
     *
     * @param createFinished whether create returned (the state file says so)
     * @param processAlive   whether the recorded process is still that process and has not ended
     * @param gatePresent    whether the start gate (exec.fifo) is still there: start removes it
     */
    public static Status of(boolean createFinished, boolean processAlive, boolean gatePresent) {
        if (!processAlive) {
            return STOPPED;
        }
        if (!createFinished) {
            return CREATING;
        }
        return gatePresent ? CREATED : RUNNING;
    }

    /** The spec's word for it. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }
}
