package dev.isolate.plan;

import java.util.List;

/**
 * Everything besides the spec that the plan depends on.
 *
 * @param handshake      the pipes the child reports and waits on
 * @param handledSignals signals that have a handler in isolate at clone time: the child
 *                       resets them before it unblocks signals, so no JVM handler ever runs in it
 * @param host           the machine and the caller
 */
public record LaunchContext(Handshake handshake, List<Integer> handledSignals, Host host) {
    public LaunchContext {
        handledSignals = List.copyOf(handledSignals);
    }
}
