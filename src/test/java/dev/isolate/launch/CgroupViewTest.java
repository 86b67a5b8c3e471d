package dev.isolate.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.host.cgroup.ContainerCgroup;
import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.plan.Prepared.CgroupDirectory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** How the container's cgroup directories are named on a root filesystem's /sys/fs/cgroup. */
class CgroupViewTest {
    private static ContainerCgroup.Leaf leaf(String mountPoint, boolean unified, String... controllers) {
        Hierarchies.Hierarchy hierarchy = new Hierarchies.Hierarchy(Path.of(mountPoint), unified, Set.of(controllers),
                "/");
        return new ContainerCgroup.Leaf(hierarchy, hierarchy.mountPoint(), List.of("isolate"),
                hierarchy.mountPoint().resolve("isolate/isolate-7-8"), Map.of(), List.of());
    }

    private static List<CgroupDirectory> view(ContainerCgroup.Leaf... leaves) {
        return Launcher.cgroupView(new ContainerCgroup.Decision(List.of(leaves), List.of(), false));
    }

    @Test
    void cgroupV1HierarchiesAreNamedAsTheirMountPoints() {
        assertEquals(List.of(new CgroupDirectory("memory", "/sys/fs/cgroup/memory/isolate/isolate-7-8"),
                new CgroupDirectory("cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/isolate/isolate-7-8"),
                new CgroupDirectory("unified", "/sys/fs/cgroup/unified/isolate/isolate-7-8")),
                view(leaf("/sys/fs/cgroup/memory", false, "memory"),
                        leaf("/sys/fs/cgroup/cpu,cpuacct", false, "cpuacct", "cpu"),
                        leaf("/sys/fs/cgroup/unified", true, "hugetlb")));
    }

    @Test
    void aNameAlreadyTakenGivesWayToTheControllers() {
        assertEquals(List.of(new CgroupDirectory("cg", "/a/cg/isolate/isolate-7-8"),
                new CgroupDirectory("cpu,cpuacct", "/b/cg/isolate/isolate-7-8"),
                new CgroupDirectory("pids", "/isolate/isolate-7-8")),
                view(leaf("/a/cg", false, "memory"), leaf("/b/cg", false, "cpuacct", "cpu"), leaf("/", false, "pids")));
    }

    @Test
    void cgroupV2AloneIsSysFsCgroupItselfAndNoCgroupIsNoDirectory() {
        assertEquals(List.of(CgroupDirectory.unified("/sys/fs/cgroup/isolate/isolate-7-8")),
                view(leaf("/sys/fs/cgroup", true, "memory", "pids")));
        assertEquals(List.of(), Launcher.cgroupView(ContainerCgroup.Decision.NONE));
    }
}
