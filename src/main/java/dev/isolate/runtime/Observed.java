package dev.isolate.runtime;

import dev.isolate.state.ProcessIdentity;

/** A container's state together with the status it has now. */
public record Observed(ContainerState state, Status status) {
    /** Looks at the container's process and start gate now. */
    public static Observed now(RuntimeRoot root, ContainerState state) {
        boolean alive = state.process().map(ProcessIdentity::alive).orElse(false);
        return new Observed(state, Status.of(state.createFinished(), alive,
                ContainerDirectory.gatePresent(root, state.id())));
    }

    public String ociJson(boolean pretty) {
        return state.ociJson(status, pretty);
    }
}
