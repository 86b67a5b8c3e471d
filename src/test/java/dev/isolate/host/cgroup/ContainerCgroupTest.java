package dev.isolate.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.spec.Resources;
import dev.isolate.state.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The decision over fake hierarchies in a temporary directory: which directories, which files, which refusals. */
class ContainerCgroupTest {
    private static final Caller ROOT = new Caller(0, 0, "root", true, true);
    /** Not privileged, with the uid that owns the temporary files (the tests' own), so delegation can be checked. */
    private static final Caller USER = new Caller(currentUid(), 0, "alice", false, false);
    private static final String LEAF = "isolate-42-7";

    @TempDir
    Path root;

    private Hierarchies v1;

    @BeforeEach
    void v1Hierarchies() throws IOException {
        List<Hierarchies.Hierarchy> all = new ArrayList<>();
        for (String controllers : List.of("memory", "pids", "cpu", "cpuacct", "freezer", "cpuset")) {
            Path dir = Files.createDirectories(root.resolve("v1").resolve(controllers));
            Files.writeString(dir.resolve("cgroup.procs"), "");
            all.add(new Hierarchies.Hierarchy(dir, false, Set.of(controllers), "/"));
        }
        Files.writeString(root.resolve("v1/memory/memory.memsw.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(root.resolve("v1/cpuset/cpuset.effective_cpus"), "0-1\n");
        v1 = new Hierarchies(all);
    }

    private static Resources limits(long memory, long pids, double cpus) {
        return new Resources(OptionalLong.of(memory), OptionalLong.empty(), OptionalLong.of(pids), Optional.of(cpus),
                OptionalLong.of(512), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Resources.Manager.CGROUPFS);
    }

    private static Resources cpuset(String list) {
        return new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
                OptionalLong.empty(), OptionalLong.empty(), Optional.of(list), Optional.of("ci/jobs"), Optional.empty(), List.of(),
                Resources.Manager.CGROUPFS);
    }

    private static Map<String, Map<String, String>> filesByHierarchy(ContainerCgroup.Decision decision) {
        Map<String, Map<String, String>> files = new java.util.LinkedHashMap<>();
        decision.leaves().forEach(leaf -> files.put(leaf.hierarchy().mountPoint().getFileName().toString(),
                leaf.files()));
        return files;
    }

    @Test
    void onV1EachControllerGetsItsDirectoryAndDockersFiles() {
        ContainerCgroup.Decision decision = ContainerCgroup.decide(limits(32L << 20, 20, 0.5), ROOT, () -> v1, LEAF);
        assertEquals(Map.of(
                "memory", Map.of("memory.limit_in_bytes", "33554432", "memory.memsw.limit_in_bytes", "67108864"),
                "pids", Map.of("pids.max", "20"),
                "cpu", Map.of("cpu.cfs_period_us", "100000", "cpu.cfs_quota_us", "50000", "cpu.shares", "512"),
                "cpuacct", Map.of(), "freezer", Map.of()), filesByHierarchy(decision),
                "memory alone may swap as much again, as docker's; cpuset only when asked");
        assertEquals(root.resolve("v1/memory/isolate/isolate-42-7"), decision.leaves().get(0).leaf());
        assertEquals(List.of(), decision.enabled(), "v1 has no subtree_control");
        assertTrue(decision.asked());
    }

    @Test
    void withoutSwapAccountingSwapIsNotLimitedAndMemorySwapIsRefused() throws IOException {
        Files.delete(root.resolve("v1/memory/memory.memsw.limit_in_bytes"));
        assertEquals(Map.of("memory.limit_in_bytes", "33554432"),
                ContainerCgroup.decide(limits(32L << 20, 20, 1), ROOT, () -> v1, LEAF).leaves().get(0).files());
        Resources swap = new Resources(OptionalLong.of(32L << 20), OptionalLong.of(64L << 20), OptionalLong.empty(),
                Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Resources.Manager.CGROUPFS);
        assertEquals("--memory-swap: the kernel does not account swap (boot it with swapaccount=1)",
                assertThrows(Failure.class, () -> ContainerCgroup.decide(swap, ROOT, () -> v1, LEAF)).getMessage());
    }

    @Test
    void cpusetIsCheckedAgainstWhatTheParentMayUse() {
        ContainerCgroup.Decision decision = ContainerCgroup.decide(cpuset("1"), ROOT, () -> v1, LEAF);
        assertEquals(Map.of("cpuset.cpus", "1"), filesByHierarchy(decision).get("cpuset"));
        assertTrue(decision.leaves().stream().anyMatch(leaf -> leaf.leaf().equals(
                root.resolve("v1/cpuset/ci/jobs/isolate-42-7"))), "below --cgroup-parent");
        assertEquals("--cpuset-cpus 0-3: the container may use only CPUs 0-1",
                assertThrows(Failure.class, () -> ContainerCgroup.decide(cpuset("0-3"), ROOT, () -> v1, LEAF)).getMessage());
    }

    @Test
    void withoutALimitOnlyRootGetsACgroup() {
        assertEquals(List.of("memory", "pids", "cpuacct", "freezer"), ContainerCgroup.decide(Resources.NONE, ROOT, () -> v1,
                LEAF).leaves().stream().map(leaf -> leaf.hierarchy().mountPoint().getFileName().toString()).toList(),
                "what stats and the kill at the end use; cpu and cpuset only when asked");
        assertFalse(ContainerCgroup.decide(Resources.NONE, ROOT, () -> v1, LEAF).asked());
        assertFalse(ContainerCgroup.decide(Resources.NONE, USER, () -> v1, LEAF).makes());
        Resources disabled = new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
                Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(), Optional.empty(), List.of(),
                Resources.Manager.DISABLED);
        assertFalse(ContainerCgroup.decide(disabled, ROOT, () -> v1, LEAF).makes());
    }

    @Test
    void v1RefusesAnUnprivilegedLimit() {
        assertTrue(assertThrows(Failure.class, () -> ContainerCgroup.decide(limits(32L << 20, 20, 1), USER, () -> v1, LEAF))
                .getMessage().startsWith("--memory: cgroup v1 gives no unprivileged user a cgroup of their own"));
    }

    @Test
    void aMissingControllerIsNamed() {
        Hierarchies memoryOnly = new Hierarchies(List.of(v1.holding("memory").orElseThrow()));
        assertEquals("--pids-limit: no cgroup hierarchy on this machine holds the pids controller (it is not mounted,"
                + " or not enabled in the kernel)", assertThrows(Failure.class,
                () -> ContainerCgroup.decide(limits(32L << 20, 20, 1), ROOT, () -> memoryOnly, LEAF)).getMessage());
    }

    /** A unified hierarchy with systemd's user@UID.service owned by the tests' uid. */
    private Hierarchies v2(boolean delegated, String delegatedControllers) throws IOException {
        Path mount = Files.createDirectories(root.resolve("v2"));
        Files.writeString(mount.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");
        Files.writeString(mount.resolve("cgroup.procs"), "");
        String service = "user.slice/user-" + USER.uid() + ".slice/user@" + USER.uid() + ".service";
        if (delegated) {
            Path dir = Files.createDirectories(mount.resolve(service));
            Files.writeString(dir.resolve("cgroup.procs"), "");
            Files.writeString(dir.resolve("cgroup.controllers"), delegatedControllers);
        }
        return new Hierarchies(List.of(new Hierarchies.Hierarchy(mount, true,
                Set.of("cpuset", "cpu", "io", "memory", "pids"), "/" + service + "/app.slice/term.scope")));
    }

    @Test
    void onV2OneDirectoryHoldsEveryLimit() throws IOException {
        ContainerCgroup.Decision decision = ContainerCgroup.decide(limits(32L << 20, 20, 1.5), ROOT, known(v2(false, "")),
                LEAF);
        assertEquals(1, decision.leaves().size());
        assertEquals(Map.of("memory.max", "33554432", "memory.swap.max", "33554432", "pids.max", "20",
                "cpu.max", "150000 100000", "cpu.weight", "20"), decision.leaves().get(0).files());
        assertEquals(root.resolve("v2/isolate/isolate-42-7"), decision.leaves().get(0).leaf());
        assertEquals(Set.of("memory", "pids", "cpu"), Set.copyOf(decision.enabled()));
    }

    @Test
    void unprivilegedOnV2TheDelegatedSubtreeIsUsed() throws IOException {
        ContainerCgroup.Decision decision = ContainerCgroup.decide(limits(32L << 20, 20, 1), USER,
                known(v2(true, "cpu memory pids\n")), LEAF);
        assertEquals(root.resolve("v2/user.slice/user-" + USER.uid() + ".slice/user@" + USER.uid()
                + ".service/isolate/isolate-42-7"), decision.leaves().get(0).leaf());
    }

    @Test
    void unprivilegedOnV2WithoutDelegationTheFixIsNamed() throws IOException {
        String message = assertThrows(Failure.class, () -> ContainerCgroup.decide(limits(32L << 20, 20, 1), USER,
                known(v2(false, "")), LEAF)).getMessage();
        assertTrue(message.startsWith("--memory: no cgroup v2 subtree is delegated to uid " + USER.uid()), message);
        assertTrue(message.contains("loginctl enable-linger alice"), message);
        String undelegated = assertThrows(Failure.class, () -> ContainerCgroup.decide(limits(32L << 20, 20, 1), USER,
                known(v2(true, "memory\n")), LEAF)).getMessage();
        assertTrue(undelegated.startsWith("--pids-limit: the pids controller is not delegated to uid"), undelegated);
    }

    @Test
    void aLeafNamesItsOwner() {
        assertEquals("isolate-42-7", ContainerCgroup.leafName(new ProcessIdentity(42, 7)));
        assertEquals(Optional.of(new ProcessIdentity(42, 7)), ContainerCgroup.owner("isolate-42-7"));
        assertEquals(Optional.empty(), ContainerCgroup.owner("isolate-42"));
        assertEquals(Optional.empty(), ContainerCgroup.owner("docker-42-7"));
        assertEquals(Optional.empty(), ContainerCgroup.owner("isolate-x-7"));
    }

    @Test
    void countersAreReadFromFlatKeyedFiles() {
        assertEquals(3, ContainerCgroup.counter("oom_kill_disable 0\nunder_oom 0\noom_kill 3\n", "oom_kill"));
        assertEquals(0, ContainerCgroup.counter("low 0\nhigh 0\nmax 4\noom 1\n", "oom_kill"));
    }

    /** Hierarchies made before the call, as the launch's reading of them would give them. */
    private static Supplier<Hierarchies> known(Hierarchies hierarchies) {
        return () -> hierarchies;
    }

    private static long currentUid() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
