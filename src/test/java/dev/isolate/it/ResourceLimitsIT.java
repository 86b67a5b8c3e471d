package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Limits through cgroups, on this machine's hierarchies (cgroup v1 here): each limit is in its
 * file and holds, the container's cgroup is gone once it ends, and what cannot be enforced is
 * refused.
 */
class ResourceLimitsIT {
    private static final Isolate ROOT = Isolate.AS_ROOT;
    /** The container's own directory of a v1 hierarchy, from inside: /sys/fs/cgroup/H plus its path in /proc/self/cgroup. */
    private static final String OWN = "$(sed -n 's/^[0-9]*:%s:\\(.*\\)/\\1/p' /proc/self/cgroup)";

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    private static String own(String hierarchy, String file) {
        return "/sys/fs/cgroup/" + hierarchy + OWN.formatted(hierarchy) + "/" + file;
    }

    /** The directories -v said the launch made: "cgroup: mkdir DIR, FILE = VALUE...; mkdir DIR...". */
    private static List<Path> made(String err) {
        String line = err.lines().filter(l -> l.contains("cgroup: mkdir ")).findFirst().orElse("");
        return java.util.Arrays.stream(line.substring(line.indexOf("cgroup: ") + 1).split("; "))
                .filter(part -> part.contains("mkdir "))
                .map(part -> Path.of(part.substring(part.indexOf("mkdir ") + 6).split(",")[0].strip())).toList();
    }

    private static void assertRemoved(Result r) {
        List<Path> dirs = made(r.err());
        assertFalse(dirs.isEmpty(), "-v names the cgroup: " + r.err());
        dirs.forEach(dir -> assertFalse(Files.exists(dir), dir + " is removed once the container ends"));
    }

    @Test
    void pastItsMemoryLimitTheCommandIsKilledAndIsolateSaysWhy() {
        Result r = ROOT.run("-v", "--memory", "32m", "-p", "sh", "-c",
                "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo survived");
        assertEquals(137, r.exit(), r.err());
        assertEquals("", r.out());
        assertTrue(r.err().contains("isolate: sh: the kernel's OOM killer ended it at the container's memory limit"
                + " (33554432 bytes)\n"), r.err());
        assertRemoved(r);
    }

    @Test
    void memoryAndSwapAreInTheirFiles() {
        Result r = ROOT.run("--memory", "32m", "--memory-swap", "48m", "sh", "-c",
                "cat " + own("memory", "memory.limit_in_bytes") + " " + own("memory", "memory.memsw.limit_in_bytes"));
        assertEquals(0, r.exit(), r.err());
        assertEquals("33554432\n50331648\n", r.out());
        Result doubled = ROOT.run("--memory", "32m", "sh", "-c", "cat " + own("memory", "memory.memsw.limit_in_bytes"));
        assertEquals("67108864\n", doubled.out(), "--memory alone may swap as much again, as with docker");
    }

    @Test
    void forksBeyondThePidsLimitFailAndNothingIsLeft() throws Exception {
        // Without -p the sleepers would outlive the shell: the cgroup's end kills them.
        Result r = ROOT.run("-v", "--pids-limit", "20", "sh", "-c",
                "cat " + own("pids", "pids.max") + "; i=0; while [ $i -lt 100 ]; do sleep 31.4159 & i=$((i+1));"
                        + " echo $i; done");
        assertTrue(r.exit() != 0, "the shell gives up when a fork fails");
        assertTrue(r.err().contains("Cannot fork"), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals("20", out.get(0));
        int started = Integer.parseInt(out.get(out.size() - 1));
        assertTrue(started >= 10 && started < 20, "sleepers started before the limit: " + started);
        assertEquals("", Isolate.exec(List.of("pgrep", "-f", "sleep 31.4159"), null).out(), "no sleeper is left");
        assertRemoved(r);
    }

    @Test
    void cpusIsAQuotaThatHolds() {
        Result r = ROOT.run("--cpus", "0.5", "sh", "-c", "cat " + own("cpu", "cpu.cfs_quota_us") + " "
                + own("cpu", "cpu.cfs_period_us") + "; timeout 2 sh -c 'while :; do :; done';"
                + " cat " + own("cpuacct", "cpuacct.usage"));
        assertEquals(0, r.exit(), r.err());
        List<String> out = r.out().lines().toList();
        assertEquals(List.of("50000", "100000"), out.subList(0, 2));
        double seconds = Long.parseLong(out.get(2)) / 1e9;
        assertTrue(seconds <= 1.5 && seconds >= 0.3, "2 s of a busy loop at half a CPU used " + seconds + " s");
    }

    @Test
    void cpusetPinsTheCommand() {
        Result r = ROOT.run("--cpuset-cpus", "0", "grep", "Cpus_allowed_list", "/proc/self/status");
        assertEquals(0, r.exit(), r.err());
        assertEquals("Cpus_allowed_list:\t0\n", r.out());
    }

    @Test
    void sharesAreWrittenOnTheirOwnScale() {
        Result r = ROOT.run("--cpu-shares", "512", "sh", "-c", "cat " + own("cpu", "cpu.shares"));
        assertEquals("512\n", r.out(), r.err());
        Result weight = ROOT.run("--cpu-weight", "100", "sh", "-c", "cat " + own("cpu", "cpu.shares"));
        assertEquals("2597\n", weight.out(), "v2's default weight is v1's 2597 shares, as crun converts it");
    }

    @Test
    void theCgroupNamespaceIsRootedInTheContainersCgroup() {
        Result inside = ROOT.run("--memory", "32m", "-C", "grep", ":memory:", "/proc/self/cgroup");
        assertEquals(0, inside.exit(), inside.err());
        assertTrue(inside.out().matches("[0-9]+:memory:/\n"), inside.out());
        Result without = ROOT.run("--memory", "32m", "grep", ":memory:", "/proc/self/cgroup");
        assertTrue(without.out().matches("[0-9]+:memory:/isolate/isolate-[0-9]+-[0-9]+\n"), without.out());
    }

    @Test
    void rootGetsACgroupWithoutALimitUnlessItIsDisabled() {
        Result r = ROOT.run("-v", "grep", ":pids:", "/proc/self/cgroup");
        assertTrue(r.out().matches("[0-9]+:pids:/isolate/isolate-[0-9]+-[0-9]+\n"), r.out());
        assertRemoved(r);
        String own = Isolate.exec(List.of("grep", ":pids:", "/proc/self/cgroup"), null).out();
        Result disabled = ROOT.run("--cgroup-manager", "disabled", "grep", ":pids:", "/proc/self/cgroup");
        assertEquals(own, disabled.out(), "isolate's own cgroup");
        Result refused = ROOT.run("--cgroup-manager", "disabled", "--memory", "32m", "true");
        assertEquals(125, refused.exit());
        assertEquals("isolate: --cgroup-manager disabled: a limit needs a cgroup; drop the limit or the option\n",
                refused.err());
    }

    @Test
    void aParentOfTheCallersChoiceIsMadeAndRemoved() {
        Result r = ROOT.run("-v", "--cgroup-parent", "/isolate-it-parent/jobs", "--pids-limit", "9", "sh", "-c",
                "grep :pids: /proc/self/cgroup; cat " + own("pids", "pids.max"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("[0-9]+:pids:/isolate-it-parent/jobs/isolate-[0-9]+-[0-9]+\n9\n"), r.out());
        assertRemoved(r);
        assertFalse(Files.exists(Path.of("/sys/fs/cgroup/pids/isolate-it-parent")), "what isolate made is removed");
    }

    @Test
    void aDryRunShowsTheCgroupAndMakesNone() {
        Result r = ROOT.run("--dry-run", "--memory", "32m", "--pids-limit", "7", "true");
        assertEquals(0, r.exit(), r.err());
        Matcher m = Pattern.compile("mkdir (/sys/fs/cgroup/memory/isolate/isolate-[0-9]+-[0-9]+),"
                + " memory.limit_in_bytes = 33554432").matcher(r.out());
        assertTrue(m.find(), r.out());
        assertTrue(r.out().contains("/sys/fs/cgroup/pids/isolate/isolate-"), r.out());
        assertTrue(r.out().contains("pids.max = 7"), r.out());
        assertFalse(Files.exists(Path.of(m.group(1))));
    }

    @Test
    void badLimitsAreOneLineAndChangeNothing() {
        for (List<String> args : List.of(
                List.of("--memory", "1x", "isolate: --memory \"1x\": use a number of bytes with an optional b, k, m or g"),
                List.of("--memory", "1m", "isolate: --memory: 1048576 bytes is below the minimum, 6m"),
                List.of("--memory-swap", "64m", "isolate: --memory-swap: needs --memory (it is memory plus swap)"),
                List.of("--cpus", "x", "isolate: --cpus \"x\": use a number of CPUs, as 1.5"),
                List.of("--cpus", "999", "isolate: --cpus 999.0: this machine has "
                        + Runtime.getRuntime().availableProcessors() + " CPUs"),
                List.of("--cpuset-cpus", "0-999", "isolate: --cpuset-cpus 0-999: the container may use only CPUs"),
                List.of("--cgroup-parent", "a/../b", "isolate: --cgroup-parent \"a/../b\": use names"),
                List.of("--cgroup-manager", "systemd", "isolate: --cgroup-manager systemd: isolate has no systemd"
                        + " driver"))) {
            Result r = ROOT.run(args.get(0), args.get(1), "-v", "true");
            assertEquals(125, r.exit(), args.toString());
            assertTrue(r.err().startsWith(args.get(2)), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertFalse(r.err().contains("cgroup: mkdir"), "nothing is made for bad input");
        }
    }

    @Test
    void unprivilegedLimitsAreRefusedOnV1AndNoLimitRunsAsBefore() {
        Isolate nobody = Isolate.asNobody(RootlessCopy.script());
        for (String[] limit : new String[][] {{"--memory", "32m"}, {"--pids-limit", "5"}, {"--cpus", "1"}}) {
            Result r = nobody.run(limit[0], limit[1], "-n", "true");
            assertEquals(125, r.exit(), r.err());
            assertEquals("isolate: " + limit[0] + ": cgroup v1 gives no unprivileged user a cgroup of their own: run"
                    + " isolate as root, or on cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1) with a subtree"
                    + " delegated to you\n", r.err());
        }
        Result plain = nobody.run("-n", "sh", "-c", "grep :pids: /proc/self/cgroup");
        assertEquals(0, plain.exit(), plain.err());
        assertEquals(Isolate.exec(List.of("grep", ":pids:", "/proc/self/cgroup"), null).out(), plain.out(),
                "no cgroup of its own");
    }
}
