package dev.isolate.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HierarchiesTest {
    /** v1 controllers, cpu and cpuacct co-mounted, systemd's named hierarchy, and a v2 one holding hugetlb. */
    private static final String HYBRID_MOUNTS = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            39 31 0:36 / /sys/fs/cgroup/pids rw,nosuid - cgroup cgroup rw,pids
            40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
            50 22 0:32 /docker/abc /srv/memory\\040view rw - cgroup cgroup rw,memory
            """;
    private static final String HYBRID_CGROUPS = """
            9:name=systemd:/user.slice
            8:pids:/
            4:memory:/jobs/42
            1:cpuacct,cpu:/
            0::/user.slice
            """;

    @Test
    void v1HierarchiesAreFoundByController() {
        Hierarchies found = Hierarchies.parse(HYBRID_MOUNTS, HYBRID_CGROUPS, mount -> Set.of("hugetlb"));
        assertEquals(4, found.all().size(), "systemd's named hierarchy and a bind of a subtree are not isolate's");
        assertTrue(found.v1());
        Hierarchies.Hierarchy cpu = found.holding("cpuacct").orElseThrow();
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), cpu.mountPoint());
        assertEquals(Set.of("cpu", "cpuacct"), cpu.controllers());
        assertEquals(Optional.of(cpu), found.holding("cpu"));
        assertEquals("/jobs/42", found.holding("memory").orElseThrow().own());
        assertEquals(Path.of("/sys/fs/cgroup/memory/jobs/42"), found.holding("memory").orElseThrow().directory("/jobs/42"));
        assertEquals(Optional.of("/user.slice"), found.unified().map(Hierarchies.Hierarchy::own));
        assertEquals(Optional.empty(), found.holding("freezer"));
        assertEquals(Optional.of(Path.of("/sys/fs/cgroup/unified")), found.holding("hugetlb")
                .map(Hierarchies.Hierarchy::mountPoint));
    }

    @Test
    void aUnifiedHierarchyHoldsWhatItsRootLists() {
        Hierarchies found = Hierarchies.parse("""
                30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
                """, "0::/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope\n",
                mount -> Set.of("cpuset", "cpu", "io", "memory", "pids"));
        assertFalse(found.v1());
        Hierarchies.Hierarchy unified = found.holding("memory").orElseThrow();
        assertTrue(unified.unified());
        assertEquals(Path.of("/sys/fs/cgroup"), unified.directory("/"));
        assertEquals("/user.slice/user-1000.slice/user@1000.service/app.slice/term.scope", unified.own());
    }

    @Test
    void wordsOfAnEmptyFileAreNone() {
        assertEquals(List.of(), Hierarchies.words("\n"));
        assertEquals(List.of("cpu", "memory"), Hierarchies.words("cpu memory\n"));
    }
}
