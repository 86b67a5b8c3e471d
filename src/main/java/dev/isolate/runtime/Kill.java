package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.state.Signals;

/** kill: a signal to the container's process, or with --all to every process in its cgroup. */
public final class Kill {
    private Kill() {
    }

    public static void kill(RuntimeContext context, String id, int signal, boolean all) {
        try (ContainerDirectory directory = ContainerDirectory.open(context.root(), id)) {
            Observed observed = Observed.now(context.root(), directory.requireState());
            ContainerState state = observed.state();
            if (all) {
                state.cgroup().orElseThrow(() -> Failure.input("kill --all " + id + ": the container has no cgroup,"
                        + " so its processes cannot all be found (a rootless container on cgroup v1)")).signal(signal);
                return;
            }
            if (observed.status() != Status.CREATED && observed.status() != Status.RUNNING
                    || !Signals.send(state.process().orElseThrow(), signal)) {
                throw Failure.input("container " + id + " is not running");
            }
        }
    }
}
