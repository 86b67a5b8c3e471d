package dev.isolate.state;

import dev.isolate.step.SocketFilter;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What isolate remembers of a named container.
 *
 * @param command    the container's process, as seen from the host; empty while it starts
 * @param supervisor the isolate that started it and waits for it
 * @param namespaces the namespace types it was given, as /proc/PID/ns names them
 * @param exitStatus isolate's exit status for it, once it ended under isolate's eyes
 * @param seccomp    the BPF instructions of its seccomp filter, which isolate exec installs too
 *                   (the kernel shows no process's filter to an unprivileged reader)
 */
public record ContainerRecord(String name, Optional<ProcessIdentity> command, ProcessIdentity supervisor,
        List<String> namespaces, List<String> argv, Instant started, Optional<Integer> exitStatus,
        Optional<SocketFilter> seccomp, List<String> cgroups, boolean outOfMemory) {
    public ContainerRecord {
        namespaces = List.copyOf(namespaces);
        argv = List.copyOf(argv);
        cgroups = List.copyOf(cgroups);
    }

    /**
     * Live while its process lives (or, before it has one, while its isolate does); exited
     * when isolate saw it end, or when the process is gone without that: isolate itself was
     * killed, and took the container with it.
     */
    public boolean live() {
        return exitStatus.isEmpty() && command.map(ProcessIdentity::alive).orElseGet(supervisor::alive);
    }

    /** The command runs, in the cgroup directories the claim recorded. */
    public ContainerRecord running(ProcessIdentity process) {
        return new ContainerRecord(name, Optional.of(process), supervisor, namespaces, argv, started, exitStatus,
                seccomp, cgroups, false);
    }

    /** @param outOfMemory the kernel's OOM killer ended it at its memory limit */
    public ContainerRecord exited(int status, boolean outOfMemory) {
        return new ContainerRecord(name, command, supervisor, namespaces, argv, started, Optional.of(status),
                seccomp, cgroups, outOfMemory);
    }
}
