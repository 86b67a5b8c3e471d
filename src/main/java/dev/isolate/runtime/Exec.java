package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.launch.Launcher;
import dev.isolate.spec.SeccompProfile;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/** exec: a process run inside a created or running container, in the foreground or detached. */
public final class Exec {
    private Exec() {
    }

    /**
     * @param process what to run, made from the container's own process (its environment, working
     *                directory and confinement)
     * @return the process's exit status in the foreground; 0 once it runs, detached
     */
    public static int exec(RuntimeContext context, String id, Function<ContainerProcess, ExecProcess> process,
            boolean detach, Optional<Path> pidFile, Launcher launcher) {
        if (pidFile.isPresent() && !detach) {
            throw Failure.input("exec --pid-file: only with --detach (in the foreground exec ends with the process)");
        }
        ContainerState state = ContainerDirectory.read(context.root(), id)
                .orElseThrow(() -> Failure.input("container " + id + ": still being created"));
        ExecProcess exec = process.apply(state.containerProcess());
        Observed observed = Observed.now(context.root(), state);
        if (observed.status() != Status.CREATED && observed.status() != Status.RUNNING) {
            throw Failure.input("cannot exec in a " + observed.status().word() + " container: " + id);
        }
        SeccompProfile seccomp = state.containerProcess().seccompProfile();
        if (!detach) {
            return launcher.execBundle(exec.joinSpec(), state.process().orElseThrow(), seccomp, false);
        }
        int pid = launcher.execBundle(exec.joinSpec(), state.process().orElseThrow(), seccomp, true);
        pidFile.ifPresent(file -> AtomicFile.write(file, Integer.toString(pid)));
        return 0;
    }
}
