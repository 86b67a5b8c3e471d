package dev.isolate.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.state.PinnedProcess;
import dev.isolate.state.ProcessIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which of a process's cgroups isolate exec joins, over fake hierarchies in a temporary directory. */
class TargetCgroupsTest {
    private static final Caller ROOT = new Caller(0, 0, "root", true, true);

    @TempDir
    Path root;

    private Hierarchies hybrid() {
        return new Hierarchies(List.of(
                new Hierarchies.Hierarchy(root.resolve("memory"), false, Set.of("memory"), "/"),
                new Hierarchies.Hierarchy(root.resolve("cpu,cpuacct"), false, Set.of("cpu", "cpuacct"), "/user.slice"),
                new Hierarchies.Hierarchy(root.resolve("pids"), false, Set.of("pids"), "/user.slice"),
                new Hierarchies.Hierarchy(root.resolve("unified"), true, Set.of(), "/user.slice/session-1.scope")));
    }

    @Test
    void cgroupV1HierarchiesWhereTheProcessIsNotWhereIsolateIs() {
        String target = """
                9:name=systemd:/elsewhere
                5:pids:/isolate/isolate-7-8
                4:memory:/isolate/isolate-7-8
                3:cpu,cpuacct:/user.slice
                0::/user.slice/session-1.scope
                """;
        assertEquals(List.of(root.resolve("memory/isolate/isolate-7-8"), root.resolve("pids/isolate/isolate-7-8")),
                TargetCgroups.toJoin(42, target, hybrid(), ROOT),
                "in the hierarchy order; the cpu and unified ones are isolate's own, and name=systemd no hierarchy");
    }

    @Test
    void cgroupV2() {
        Hierarchies v2 = new Hierarchies(List.of(new Hierarchies.Hierarchy(root, true, Set.of("memory", "pids"),
                "/user.slice/session-1.scope")));
        assertEquals(List.of(root.resolve("isolate/isolate-7-8")),
                TargetCgroups.toJoin(42, "0::/isolate/isolate-7-8\n", v2, ROOT));
        assertEquals(List.of(), TargetCgroups.toJoin(42, "0::/user.slice/session-1.scope\n", v2, ROOT));
    }

    @Test
    void aCallerOtherThanRootJoinsOnlyTheCgroupsItOwns() throws Exception {
        Path leaf = Files.createDirectories(root.resolve("unified/user.slice/user@1000.service/isolate/isolate-7-8"));
        Files.createFile(leaf.resolve("cgroup.procs"));
        long owner = ((Number) Files.getAttribute(leaf, "unix:uid")).longValue();
        String target = "0::/user.slice/user@1000.service/isolate/isolate-7-8\n4:memory:/isolate/isolate-7-8\n";
        assertEquals(List.of(leaf), TargetCgroups.toJoin(42, target, hybrid(), new Caller(owner, 0, "u", false, false)),
                "its own, and not the memory cgroup, which it does not own");
        assertEquals(List.of(), TargetCgroups.toJoin(42, target, hybrid(), new Caller(owner + 1, 0, "v", false, false)),
                "another user's");
    }

    @Test
    void aCgroupOutsideIsolatesCgroupNamespaceIsRefused() {
        Failure failure = assertThrows(Failure.class, () -> TargetCgroups.toJoin(42, "4:memory:/../../other\n",
                hybrid(), ROOT));
        assertEquals("process 42: its cgroup /../../other in " + root.resolve("memory")
                + " is outside isolate's cgroup namespace", failure.getMessage());
    }

    @Test
    void theWaitingChildIsMovedInAndACgroupThatIsGoneIsOneLine() throws Exception {
        Path pids = Files.createDirectories(root.resolve("pids/isolate/isolate-7-8"));
        Files.writeString(pids.resolve("cgroup.procs"), "");
        new TargetCgroups(List.of(pids)).attach(4321);
        assertEquals("4321", Files.readString(pids.resolve("cgroup.procs")));
        Path gone = root.resolve("memory/isolate/isolate-7-8");
        Failure failure = assertThrows(Failure.class, () -> new TargetCgroups(List.of(gone)).attach(4321));
        assertEquals("cgroup: write 4321 to " + gone.resolve("cgroup.procs") + ": no such file or directory",
                failure.getMessage());
    }

    @Test
    void aRunningProcessSharesIsolatesCgroupsAndAnEndedOneIsGone() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try (PinnedProcess pinned = PinnedProcess.pin(ProcessIdentity.of(sleeper.pid()).orElseThrow())) {
            assertEquals(List.of(), TargetCgroups.of(pinned, Hierarchies.read(), Caller.current()).directories(),
                    "a child of this JVM is where it is");
            sleeper.destroyForcibly().waitFor();
            Failure failure = assertThrows(Failure.class, () -> TargetCgroups.of(pinned, Hierarchies.read(),
                    Caller.current()));
            assertTrue(failure.getMessage().startsWith("process " + sleeper.pid() + ": cgroup: "),
                    failure.getMessage());
        } finally {
            sleeper.destroyForcibly();
        }
    }
}
