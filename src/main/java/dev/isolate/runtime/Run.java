package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.launch.BundleEvents;
import dev.isolate.launch.Launcher;
import java.util.List;

/**
 * run: create and start in one command. In the foreground, this JVM stays as the container's
 * parent, forwards signals and ends with its exit status; the container is in the state
 * directory meanwhile (state, kill and ps see it), and removed when it ends. With --detach it
 * is create then start, and returns.
 */
public final class Run {
    private Run() {
    }

    /** run --detach. */
    public static void detached(RuntimeContext context, Create.Request request, Launcher launcher) {
        Create.create(context, request, launcher);
        Start.start(context, request.id());
    }

    /** run in the foreground: the container's exit status. */
    public static int foreground(RuntimeContext context, Create.Request request, Launcher launcher) {
        Bundle bundle = Bundle.read(request.bundle(), request.id(), request.preserveFds());
        Create.requireConsole(bundle, request.consoleSocket());
        ContainerState initial = Create.initialState(request.id(), bundle);
        ContainerDirectory directory = ContainerDirectory.claim(context.root(), request.id());
        Locked locked = new Locked(directory);
        ContainerState[] started = {initial};
        int status;
        try {
            BundleEvents creating = Create.events(directory, initial, bundle, request.consoleSocket());
            status = launcher.runBundle(bundle.spec(), new BundleEvents() {
                @Override
                public void created(int pid) {
                    creating.created(pid);
                }

                @Override
                public void terminal(int masterFd) {
                    creating.terminal(masterFd);
                }

                @Override
                public void running(int pid) {
                    started[0] = initial.withProcess(Create.identity(pid)).finished(List.of());
                    directory.write(started[0]);
                    request.pidFile().ifPresent(file -> AtomicFile.write(file, Integer.toString(pid)));
                    // From here on kill and delete may act on it, as on any running container.
                    locked.release();
                    Hooks.runWarning("poststart", bundle.hooks("poststart"),
                            started[0].ociJson(Status.RUNNING, false), context.log()::warning);
                }
            });
        } finally {
            locked.removeAndRelease(context.root(), initial);
        }
        Hooks.runWarning("poststop", bundle.hooks("poststop"), started[0].ociJson(Status.STOPPED, false),
                context.log()::warning);
        return status;
    }

    /** The container's directory, locked until the container runs, removed when it has ended. */
    private static final class Locked {
        private ContainerDirectory directory;

        Locked(ContainerDirectory directory) {
            this.directory = directory;
        }

        void release() {
            directory.close();
            directory = null;
        }

        /** Removes the directory if it is still ours: a delete may have removed it, a create reused the id. */
        void removeAndRelease(RuntimeRoot root, ContainerState ours) {
            if (directory == null) {
                try {
                    directory = ContainerDirectory.open(root, ours.id());
                } catch (Failure deletedMeanwhile) {
                    return;
                }
            }
            try (ContainerDirectory held = directory) {
                boolean same = held.state().map(state -> state.created().equals(ours.created())).orElse(true);
                if (same) {
                    held.remove();
                }
            }
        }
    }
}
