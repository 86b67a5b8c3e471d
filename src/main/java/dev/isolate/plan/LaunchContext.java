package dev.isolate.plan;

import java.util.List;
import java.util.Set;

/**
 * Facts about isolate's own process that shape the child program.
 *
 * @param handshake      the pipes the child reports and waits on
 * @param handledSignals signals that have a handler in isolate at clone time: the child
 *                       resets them before it unblocks signals, so no JVM handler ever runs in it
 * @param passedFds      descriptors (above 2) that isolate's caller handed over on purpose
 *                       and that the command inherits; every other one is closed at exec
 * @param kernel         the running kernel, for steps that need a recent one
 */
public record LaunchContext(Handshake handshake, List<Integer> handledSignals, Set<Integer> passedFds,
        KernelVersion kernel) {
    public LaunchContext {
        handledSignals = List.copyOf(handledSignals);
        passedFds = Set.copyOf(passedFds);
    }
}
