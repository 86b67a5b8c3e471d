package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a container sees of its cgroup on /sys/fs/cgroup under -R, and isolate exec's command in
 * the container's cgroup, on the real kernel: as root, and as nobody without a limit.
 */
class CgroupViewIT {
    /** The controllers whose hierarchies a container of root's has a directory in without asking (ContainerCgroup). */
    private static final List<String> ALWAYS = List.of("memory", "pids", "cpuacct", "freezer");
    private static Path image;
    private static Path nobodysImage;
    private final String name = "cgview" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
    private Path runtime;

    @BeforeEach
    void root() throws IOException {
        Privileged.requireRoot();
        synchronized (CgroupViewIT.class) {
            if (image == null) {
                image = TestImages.fresh(false);
                nobodysImage = TestImages.fresh(true);
            }
        }
        runtime = Files.createTempDirectory(Path.of("/tmp"), "isolate-runtime");
        TestImages.run(List.of("chown", "65534:65534", runtime.toString()));
    }

    @AfterEach
    void removeContainer() {
        if (runtime != null) {
            withState(Isolate.AS_ROOT).run("rm", "-f", name);
            withState(nobody()).run("rm", "-f", name);
            TestImages.delete(runtime);
        }
    }

    private Isolate withState(Isolate isolate) {
        return isolate.withEnvironment("XDG_RUNTIME_DIR=" + runtime);
    }

    private static Isolate nobody() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    /** The cgroup v1 hierarchies on this host, each as its mount point's options and path. */
    private static List<String[]> v1Hierarchies() throws IOException {
        List<String[]> found = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fs = line.substring(line.indexOf(" - ") + 3).split(" ");
            if (fs[0].equals("cgroup")) {
                found.add(new String[] {fs[2], line.split(" ")[4]});
            }
        }
        return found;
    }

    /** The mount point of the v1 hierarchy holding a controller. */
    private static Optional<Path> v1MountPoint(String controller) throws IOException {
        return v1Hierarchies().stream().filter(h -> Arrays.asList(h[0].split(",")).contains(controller))
                .map(h -> Path.of(h[1])).findFirst();
    }

    private static void requireV1() throws IOException {
        assertTrue(v1MountPoint("memory").isPresent() && v1MountPoint("pids").isPresent(),
                "written for cgroup v1, as the machines the suite runs on have it (v2's view is unit-tested)");
    }

    @Test
    void theContainersOwnCgroupV1HierarchiesReadOnly() throws IOException {
        requireV1();
        Result r = ok(Isolate.AS_ROOT.run("-R", image.toString(), "--memory", "32m", "sh", "-c",
                "cat /sys/fs/cgroup/memory/memory.limit_in_bytes; ls /sys/fs/cgroup;"
                        + " echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes; mkdir /sys/fs/cgroup/x; true"));
        List<String> lines = r.out().lines().toList();
        assertEquals("33554432", lines.get(0), "the container's limit, not the host root's");
        Set<String> expected = new TreeSet<>();
        for (String controller : ALWAYS) {
            v1MountPoint(controller).ifPresent(mountPoint -> {
                String dir = mountPoint.getFileName().toString();
                expected.add(dir);
                expected.addAll(Arrays.asList(dir.split(","))); // co-mounted: a link per controller, as docker
            });
        }
        assertEquals(expected, new TreeSet<>(lines.subList(1, lines.size())),
                "only the hierarchies the container has a cgroup in, named as on the host");
        assertEquals(2, r.err().lines().filter(l -> l.contains("Read-only file system")).count(), r.err());
    }

    @Test
    void withACgroupNamespaceTheContainersCgroupIsItsRoot() throws IOException {
        requireV1();
        Result r = ok(Isolate.AS_ROOT.run("-C", "-R", image.toString(), "--pids-limit", "30", "cat",
                "/proc/self/cgroup", "/sys/fs/cgroup/pids/pids.max"));
        for (String controller : List.of("memory", "pids")) {
            assertTrue(r.out().lines().anyMatch(l -> l.matches("\\d+:" + controller + ":/")), r.out());
        }
        assertTrue(r.out().endsWith("\n30\n"), r.out());
    }

    @Test
    void withoutACgroupSysFsCgroupIsEmpty() {
        Result rootless = ok(nobody().run("-R", nobodysImage.toString(), "ls", "-A", "/sys/fs/cgroup"));
        assertEquals("", rootless.out(), "a rootless launch without a limit has no cgroup, and sees none of the host's");
        Result disabled = ok(Isolate.AS_ROOT.run("--cgroup-manager", "disabled", "-R", image.toString(), "ls", "-A",
                "/sys/fs/cgroup"));
        assertEquals("", disabled.out());
    }

    /** The directory of a process's cgroup in the v1 hierarchy holding a controller, from the host. */
    private static Path cgroupOf(String pid, String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", pid, "cgroup"))) {
            String[] fields = line.split(":", 3);
            if (Arrays.asList(fields[1].split(",")).contains(controller)) {
                return Path.of(v1MountPoint(controller).orElseThrow() + fields[2]);
            }
        }
        throw new AssertionError("process " + pid + " has no " + controller + " cgroup");
    }

    private String pid(Isolate isolate) {
        Result r = ok(withState(isolate).run("ps", "--json"));
        String after = r.out().substring(r.out().indexOf("\"name\": \"" + name + "\""));
        return after.replaceAll("(?s)^.*?\"pid\": (\\d+).*$", "$1");
    }

    @Test
    void execJoinsTheContainersCgroupAndItsLimitsHold() throws IOException {
        requireV1();
        ok(withState(Isolate.AS_ROOT).run("run", "-d", "--name", name, "--pids-limit", "30", "sleep", "300"));
        String pid = pid(Isolate.AS_ROOT);
        Path pids = cgroupOf(pid, "pids");
        assertTrue(pids.getFileName().toString().startsWith("isolate-"), pids.toString());
        assertEquals("1", Files.readString(pids.resolve("pids.current")).strip());

        Result cgroup = ok(withState(Isolate.AS_ROOT).run("exec", name, "cat", "/proc/self/cgroup"));
        String containers = Files.readString(Path.of("/proc", pid, "cgroup"));
        assertEquals(containers.lines().filter(l -> l.contains(":pids:")).toList(),
                cgroup.out().lines().filter(l -> l.contains(":pids:")).toList(), "the container's pids cgroup");
        Result counted = ok(withState(Isolate.AS_ROOT).run("exec", name, "sh", "-c",
                "cat " + pids.resolve("pids.current") + "; true"));
        assertEquals("3", counted.out().strip(), "the container's sleep, the exec'd sh and its cat");

        Result bomb = withState(Isolate.AS_ROOT).run("exec", name, "sh", "-c",
                "for i in $(seq 40); do sleep 1 & done; wait");
        assertNotEquals(0, bomb.exit(), "forks beyond the container's pids limit fail for exec'd commands too");
        assertTrue(bomb.err().toLowerCase().contains("fork"), bomb.err());

        Result dryRun = ok(withState(Isolate.AS_ROOT).run("exec", "--dry-run", name, "true"));
        assertTrue(dryRun.out().contains("host, while the child waits:\n  move the child into the target's cgroups"
                + " (write its pid to cgroup.procs of each)\n"), dryRun.out());
        assertTrue(dryRun.out().contains("    " + pids + "\n"), dryRun.out());
    }

    @Test
    void aRootlessExecIntoAContainerWithoutACgroupMovesNothing() {
        Isolate nobody = withState(nobody());
        ok(nobody.run("run", "-d", "--name", name, "-R", nobodysImage.toString(), "sleep", "300"));
        Result dryRun = ok(nobody.run("exec", "--dry-run", name, "true"));
        assertFalse(dryRun.out().contains("cgroup.procs"), dryRun.out());
        Result r = ok(nobody.run("exec", name, "ls", "-A", "/sys/fs/cgroup"));
        assertEquals("", r.out());
    }
}
