package dev.isolate.host.cgroup;

import dev.isolate.exit.Failure;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The cgroup of a container that outlived the isolate that made it (an OCI runtime's
 * create, see {@link ContainerCgroup#keep}), found again from its recorded directories: each
 * must be inside a mounted hierarchy, or it is not used.
 */
public final class KeptCgroup {
    private final List<ContainerCgroup.Leaf> leaves;

    private KeptCgroup(List<ContainerCgroup.Leaf> leaves) {
        this.leaves = List.copyOf(leaves);
    }

    /**
     * @param directories as {@link ContainerCgroup#keep} returned them
     * @throws Failure when one is not inside a mounted cgroup hierarchy
     */
    public static KeptCgroup of(List<Path> directories, Hierarchies hierarchies) {
        List<ContainerCgroup.Leaf> leaves = new ArrayList<>();
        for (Path directory : directories) {
            Path dir = directory.normalize();
            Hierarchies.Hierarchy hierarchy = hierarchies.all().stream()
                    .filter(h -> dir.startsWith(h.mountPoint()) && !dir.equals(h.mountPoint())).findFirst()
                    .orElseThrow(() -> Failure.input("cgroup " + directory + ": not inside a mounted cgroup hierarchy"));
            List<String> parents = new ArrayList<>();
            hierarchy.mountPoint().relativize(dir.getParent()).forEach(name -> parents.add(name.toString()));
            parents.removeIf(String::isEmpty);
            leaves.add(ContainerCgroup.Leaf.found(hierarchy, hierarchy.mountPoint(), parents, dir));
        }
        return new KeptCgroup(leaves);
    }

    /** The processes in it, and in the cgroups below it. */
    public List<Long> pids() {
        return ContainerCgroup.processes(leaves);
    }

    /** Sends the signal to every process in it. */
    public void signal(int signal) {
        for (long pid : pids()) {
            Kernel.get().call(Syscall.KILL, pid, signal);
        }
    }

    /**
     * Kills whatever still runs in it, then removes its directories bottom up, and isolate's own
     * parent in a hierarchy once no other container uses it.
     */
    public void killAndRemove() {
        ContainerCgroup.killAll(leaves);
        Failure failed = null;
        for (ContainerCgroup.Leaf leaf : leaves) {
            try {
                ContainerCgroup.removeWhenEmpty(leaf.leaf());
                if (leaf.parents().equals(List.of(ContainerCgroup.DEFAULT_PARENT))) {
                    ContainerCgroup.removeIfUnused(leaf.leaf().getParent()); // isolate's own, as a launch's end does
                }
            } catch (Failure f) {
                failed = failed == null ? f : failed;
            }
        }
        if (failed != null) {
            throw failed;
        }
    }
}
