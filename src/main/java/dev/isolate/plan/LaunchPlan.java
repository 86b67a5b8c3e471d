package dev.isolate.plan;

import java.util.List;

/**
 * Everything the launch does, decided before any of it happens.
 *
 * @param cloneFlags namespace flags and exit signal for clone()
 * @param childSteps the system calls the child makes between clone and the command, in order
 * @param parentSteps what the parent does between the child's "armed" report and its release
 */
public record LaunchPlan(long cloneFlags, List<Step> childSteps, List<ParentStep> parentSteps) {
    /** Report word meaning "parent-death signal armed, waiting for release"; no failure word is -1. */
    public static final long ARMED = -1L;

    public LaunchPlan {
        childSteps = List.copyOf(childSteps);
        parentSteps = List.copyOf(parentSteps);
        if (childSteps.isEmpty() || childSteps.get(childSteps.size() - 1).call() != Call.EXECVE) {
            throw new IllegalArgumentException("a child program ends with execve");
        }
    }
}
