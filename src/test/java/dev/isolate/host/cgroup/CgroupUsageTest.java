package dev.isolate.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.state.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What isolate stats reads, over fake cgroup trees with the kernel's file names and formats, v1's and v2's. */
class CgroupUsageTest {
    private static final ProcessIdentity SUPERVISOR = new ProcessIdentity(9207, 3760646);
    private static final String LEAF = "isolate/isolate-9207-3760646";

    @TempDir
    Path root;

    private Path leaf(String hierarchy, String... files) throws IOException {
        Path dir = Files.createDirectories(root.resolve(hierarchy).resolve(LEAF));
        for (int i = 0; i < files.length; i += 2) {
            Files.writeString(dir.resolve(files[i]), files[i + 1]);
        }
        return dir;
    }

    private static CgroupUsage usage(OptionalLong... values) {
        return new CgroupUsage(values[0], values[1], values[2], values[3], values[4], values[5]);
    }

    private static OptionalLong of(long value) {
        return OptionalLong.of(value);
    }

    private static final OptionalLong NONE = OptionalLong.empty();

    @Test
    void v1ReadsEachControllersOwnHierarchy() throws IOException {
        List<Path> leaves = List.of(
                leaf("memory", "memory.usage_in_bytes", "524288\n", "memory.max_usage_in_bytes", "1048576\n",
                        "memory.limit_in_bytes", "67108864\n", "memory.oom_control", "oom_kill_disable 0\n"),
                leaf("pids", "pids.current", "2\n", "pids.max", "50\n"),
                leaf("cpuacct", "cpuacct.usage", "2363842\n", "cpuacct.usage_user", "1000000\n"),
                leaf("freezer", "freezer.state", "THAWED\n"));
        assertEquals(Optional.of(usage(of(524288), of(1048576), of(67108864), of(2), of(50), of(2363842))),
                CgroupUsage.read(leaves));
    }

    @Test
    void v1sUnlimitedIsNoLimit() throws IOException {
        List<Path> leaves = List.of(
                leaf("memory", "memory.usage_in_bytes", "4096\n", "memory.max_usage_in_bytes", "8192\n",
                        "memory.limit_in_bytes", "9223372036854771712\n"),
                leaf("pids", "pids.current", "1\n", "pids.max", "max\n"),
                // v1's cpu controller has a cpu.stat of throttling counts only: no CPU time there
                leaf("cpu", "cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n"));
        assertEquals(Optional.of(usage(of(4096), of(8192), NONE, of(1), NONE, NONE)), CgroupUsage.read(leaves));
    }

    @Test
    void v2ReadsOneDirectory() throws IOException {
        List<Path> leaves = List.of(leaf("unified", "cgroup.controllers", "cpu memory pids\n",
                "memory.current", "1597440\n", "memory.peak", "2101248\n", "memory.max", "33554432\n",
                "memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n",
                "pids.current", "3\n", "pids.max", "max\n",
                "cpu.stat", "usage_usec 12345\nuser_usec 10000\nsystem_usec 2345\nnr_periods 0\n"));
        assertEquals(Optional.of(usage(of(1597440), of(2101248), of(33554432), of(3), NONE, of(12_345_000))),
                CgroupUsage.read(leaves));
    }

    @Test
    void v2BeforeMemoryPeakAndWithoutLimitsHasNone() throws IOException {
        List<Path> leaves = List.of(leaf("unified", "memory.current", "0\n", "memory.max", "max\n",
                "pids.current", "1\n", "pids.max", "max\n", "cpu.stat", "usage_usec 0\n"));
        assertEquals(Optional.of(usage(of(0), NONE, NONE, of(1), NONE, of(0))), CgroupUsage.read(leaves));
    }

    @Test
    void aCgroupRemovedWhileReadIsNone() throws IOException {
        Path memory = leaf("memory", "memory.usage_in_bytes", "4096\n");
        Path pids = leaf("pids", "pids.current", "1\n");
        Files.delete(pids.resolve("pids.current"));
        Files.delete(pids);
        assertEquals(Optional.empty(), CgroupUsage.read(List.of(memory, pids)));
    }

    @Test
    void whatIsNotANumberFailsNamingTheFile() throws IOException {
        Path memory = leaf("memory", "memory.usage_in_bytes", "lots\n");
        Failure failure = assertThrows(Failure.class, () -> CgroupUsage.read(List.of(memory)));
        assertEquals("cgroup: " + memory.resolve("memory.usage_in_bytes") + ": \"lots\" where the kernel writes a"
                + " number", failure.getMessage());
    }

    private Hierarchies hierarchies() {
        return new Hierarchies(List.of(
                new Hierarchies.Hierarchy(root.resolve("memory"), false, Set.of("memory"), "/"),
                new Hierarchies.Hierarchy(root.resolve("pids"), false, Set.of("pids"), "/"),
                new Hierarchies.Hierarchy(root.resolve("unified"), true, Set.of(), "/")));
    }

    @Test
    void theRecordsDirectoriesAreTheSupervisorsLeavesInAMountedHierarchy() {
        String memory = root.resolve("memory").resolve(LEAF).toString();
        String delegated = root.resolve("unified/user.slice/user-1000.slice/user@1000.service/isolate/"
                + "isolate-9207-3760646").toString();
        assertEquals(List.of(Path.of(memory), Path.of(delegated)),
                CgroupUsage.leaves(List.of(memory, delegated), SUPERVISOR, hierarchies()));
    }

    @Test
    void aDirectoryIsolateDidNotMakeForTheContainerIsRefused() {
        for (String directory : List.of(
                root.resolve("elsewhere").resolve(LEAF).toString(),               // not a mounted hierarchy
                root.resolve("memory/isolate/isolate-9207-1").toString(),         // another isolate's
                root.resolve("memory/isolate/isolate-9207-3760646/..").toString(),
                root.resolve("memory/../etc/isolate-9207-3760646").toString(),
                "memory/" + LEAF,                                                 // relative
                root.resolve("memory").toString())) {                             // the hierarchy itself
            Failure failure = assertThrows(Failure.class,
                    () -> CgroupUsage.leaves(List.of(directory), SUPERVISOR, hierarchies()), directory);
            assertTrue(failure.getMessage().endsWith(": not the cgroup isolate made for this container"),
                    failure.getMessage());
        }
    }
}
