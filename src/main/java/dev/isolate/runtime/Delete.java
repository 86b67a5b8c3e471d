package dev.isolate.runtime;

import static dev.isolate.linux.Linux.SIGKILL;

import dev.isolate.exit.Failure;
import dev.isolate.host.cgroup.KeptCgroup;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.Signals;
import java.util.Optional;

/**
 * delete: what a container left on the host removed (its process, its cgroup, its state),
 * then the poststop hooks. A created container is killed as runc kills it; a running one
 * only with --force.
 */
public final class Delete {
    /** How long delete waits for a killed process to end; it is not our child, so /proc is watched. */
    private static final long GONE_MILLISECONDS = 10_000;
    private static final long LOOK_MILLISECONDS = 5;

    private Delete() {
    }

    /** --force of a container that is not there succeeds, as runc's does: engines clean up with it. */
    public static void delete(RuntimeContext context, String id, boolean force) {
        if (force && !ContainerDirectory.exists(context.root(), id)) {
            return;
        }
        Optional<ContainerState> removed;
        try (ContainerDirectory directory = ContainerDirectory.open(context.root(), id)) {
            // No state: a create killed before it wrote any, which had made nothing delete knows of.
            removed = directory.state();
            if (removed.isPresent()) {
                Observed observed = Observed.now(context.root(), removed.get());
                if (observed.status() == Status.RUNNING && !force) {
                    throw Failure.input("cannot delete container " + id + " that is not stopped: running"
                            + " (use delete --force)");
                }
                removed.get().process().ifPresent(Delete::killAndAwait);
                removed.get().cgroup().ifPresent(KeptCgroup::killAndRemove);
            }
            directory.remove();
        }
        removed.ifPresent(state -> Hooks.runWarning("poststop", state.poststop(),
                state.ociJson(Status.STOPPED, false), context.log()::warning));
    }

    private static void killAndAwait(ProcessIdentity process) {
        if (!Signals.send(process, SIGKILL)) {
            return;
        }
        long deadline = System.nanoTime() + GONE_MILLISECONDS * 1_000_000;
        while (process.alive()) {
            if (System.nanoTime() > deadline) {
                throw Failure.step("process " + process.pid() + " still runs " + GONE_MILLISECONDS / 1000
                        + " s after SIGKILL");
            }
            try {
                Thread.sleep(LOOK_MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Failure.step("interrupted while process " + process.pid() + " ended");
            }
        }
    }
}
