package dev.isolate.plan;

import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.Credentials;
import dev.isolate.step.SocketFilter;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the host's preparation made for a launch that the child's steps use.
 *
 * @param rootfs        the root filesystem as prepared on the host, when the spec has one
 * @param joinedNetwork a descriptor of the network namespace to enter, when the spec joins one
 * @param credentials   -S, -G and --group-add as numbers, looked up in the passwd and group
 *                      files the command sees, when the spec changes who runs it
 * @param seccomp       the compiled filter, when the spec's profile is not unconfined
 * @param init          --init: the init program as the child executes it, when the spec asks for one
 * @param cgroup        the container's cgroup, one directory per hierarchy, as a root filesystem's
 *                      /sys/fs/cgroup shows it; empty when the container has none
 * @param startGate     an OCI runtime's create: a descriptor (O_PATH) of the FIFO that the set-up
 *                      child opens for writing before execve, which blocks until start opens it
 *                      for reading. The child then outlives isolate, so no parent-death signal is armed
 */
public record Prepared(Optional<RootfsLayout> rootfs, OptionalInt joinedNetwork, Optional<Credentials> credentials,
        Optional<SocketFilter> seccomp, Optional<String> init, List<CgroupDirectory> cgroup, OptionalInt startGate) {
    /** For a spec that needs nothing prepared. */
    public static final Prepared NOTHING = new Prepared(Optional.empty(), OptionalInt.empty(), Optional.empty(),
            Optional.empty(), Optional.empty(), List.of(), OptionalInt.empty());

    public Prepared {
        cgroup = List.copyOf(cgroup);
    }

    /**
     * One directory of the container's cgroup.
     *
     * @param name          its directory under /sys/fs/cgroup, named as the hierarchy's mount point on the
     *                      host (memory, pids, cpu,cpuacct); empty for the one directory of cgroup v2 alone,
     *                      which is /sys/fs/cgroup itself
     * @param hostDirectory the directory on the host
     */
    public record CgroupDirectory(String name, String hostDirectory) {
        public CgroupDirectory {
            if (name.contains("/") || name.equals(".") || name.equals("..")) {
                throw new IllegalArgumentException("not a directory name: " + name);
            }
        }

        /** cgroup v2 alone: the container's one directory is bound on /sys/fs/cgroup itself. */
        public static CgroupDirectory unified(String hostDirectory) {
            return new CgroupDirectory("", hostDirectory);
        }
    }
}
