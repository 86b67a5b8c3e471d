package dev.isolate.plan;

import dev.isolate.userns.Caller;
import dev.isolate.userns.IdMapWriting;
import dev.isolate.userns.Subordinates;
import java.util.Set;

/**
 * Facts about the machine and the caller that shape a launch, gathered once by the command line.
 *
 * @param passedFds    descriptors (above 2) that isolate's caller handed over on purpose and
 *                     that the command inherits; every other one is closed at exec
 * @param kernel       the running kernel, for steps that need a recent one
 * @param caller       who runs isolate: decides how id maps can be written
 * @param helpers      finds newuidmap and newgidmap, looked up only when a mapping needs them
 * @param subordinates the caller's /etc/subuid and /etc/subgid ranges
 */
public record Host(Set<Integer> passedFds, KernelVersion kernel, Caller caller, IdMapWriting.Helpers helpers,
        Subordinates subordinates) {
    public Host {
        passedFds = Set.copyOf(passedFds);
    }
}
