package dev.isolate.step;

import java.util.List;

/**
 * Everything the launch does, decided before any of it happens.
 *
 * @param cloneFlags namespace flags and exit signal for clone()
 * @param sharesMemory whether the child shares isolate's memory until it execs (CLONE_VM), like
 *                   a posix_spawn child, instead of copying the JVM's page tables; not when it
 *                   joins namespaces whose setns(2) wants a process that shares nothing
 * @param childSteps the system calls the child makes between clone and the command, in order
 * @param pauses     what the parent does at each of the child's pauses, in order: the first is the
 *                   handshake's, between the child's "armed" report and its release
 */
public record LaunchPlan(long cloneFlags, boolean sharesMemory, List<Step> childSteps, List<Pause> pauses) {
    /** Report word meaning "parent-death signal armed, waiting for release"; no failure word is -1. */
    public static final long ARMED = -1L;
    /** Report word of every later pause: "waiting for release again". */
    public static final long PAUSED = -2L;
    /** A failure word is {@code (stepIndex << FAILED_STEP_SHIFT) | errno}. */
    public static final int FAILED_STEP_SHIFT = 32;
    /** Set in a report word that carries the pid of a process the child cloned (Check.CLONED). */
    public static final long NEW_PROCESS = 1L << 62;

    public LaunchPlan {
        childSteps = List.copyOf(childSteps);
        pauses = List.copyOf(pauses);
        if (childSteps.isEmpty() || childSteps.get(childSteps.size() - 1).call() != Call.EXECVE) {
            throw new IllegalArgumentException("a child program ends with execve");
        }
        long waits = childSteps.stream().filter(LaunchPlan::waitsForRelease).count();
        if (waits != pauses.size()) {
            throw new IllegalArgumentException("the child waits " + waits + " times for its release, the parent "
                    + pauses.size() + " times");
        }
    }

    /**
     * The step that blocks the child until the parent releases it. A pattern rather than a
     * record's equals: the first call of a record's generated equals spins method handles
     * (java.lang.runtime.ObjectMethods), which cost every launch 10-25 ms.
     */
    public static boolean waitsForRelease(Step step) {
        return step.call() == Call.READ && !step.args().isEmpty()
                && step.args().get(0) instanceof Arg.Pipe pipe && pipe.end() == Handshake.End.RELEASE_READ;
    }

    /** The command runs in a process the child clones, not in the child itself. */
    public boolean forks() {
        return childSteps.stream().anyMatch(step -> step.check().equals(Check.CLONED));
    }
}
