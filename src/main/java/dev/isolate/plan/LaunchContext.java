package dev.isolate.plan;

import dev.isolate.rootfs.RootfsLayout;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Everything besides the spec that the plan depends on.
 *
 * @param handshake      the pipes the child reports and waits on
 * @param handledSignals signals that have a handler in isolate at clone time: the child
 *                       resets them before it unblocks signals, so no JVM handler ever runs in it
 * @param host           the machine and the caller
 * @param rootfs         the root filesystem as prepared on the host, when the spec has one
 * @param joinedNetwork  a descriptor of the network namespace to enter, when the spec joins one
 */
public record LaunchContext(Handshake handshake, List<Integer> handledSignals, Host host,
        Optional<RootfsLayout> rootfs, OptionalInt joinedNetwork) {
    public LaunchContext {
        handledSignals = List.copyOf(handledSignals);
    }
}
