package dev.isolate.runtime;

import dev.isolate.exit.Failure;

/** start: lets a created container's process execute its command, then runs the poststart hooks. */
public final class Start {
    private Start() {
    }

    public static void start(RuntimeContext context, String id) {
        Observed observed;
        try (ContainerDirectory directory = ContainerDirectory.open(context.root(), id)) {
            observed = Observed.now(context.root(), directory.requireState());
            if (observed.status() != Status.CREATED) {
                throw Failure.input("cannot start container " + id + ": it is " + observed.status().word()
                        + (observed.status() == Status.RUNNING ? " already" : ""));
            }
            StartGate.open(directory.gate(), observed.state().process().orElseThrow(), id);
        }
        ContainerState state = observed.state();
        Hooks.runWarning("poststart", state.poststart(), state.ociJson(Status.RUNNING, false),
                context.log()::warning);
    }
}
