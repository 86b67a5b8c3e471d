package dev.isolate.launch;

/**
 * What an OCI runtime is told while a bundle's container is made ({@link Launcher#create},
 * {@link Launcher#runBundle}); each runs while the child waits, and a Failure it throws ends
 * the launch with the child killed.
 */
public interface BundleEvents {
    /**
     * The child waits at its handshake, in its new namespaces and its cgroup, before its
     * mounts: where the runtime's createRuntime and prestart hooks run.
     */
    default void created(int pid) {
    }

    /**
     * The container's terminal: the master of the pseudo-terminal the child opened in its own
     * devpts, a copy of the parent's that stays open while this runs (for --console-socket).
     */
    default void terminal(int masterFd) {
    }

    /** {@link Launcher#runBundle}: the command runs. */
    default void running(int pid) {
    }
}
