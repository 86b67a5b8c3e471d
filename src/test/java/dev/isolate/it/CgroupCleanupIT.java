package dev.isolate.it;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No cgroup and no process of a container is ever left behind: not after a failed launch,
 * not after hundreds of limited runs two at a time (which share and remove the default parent
 * under each other), and after {@code kill -9} of isolate not once {@code isolate gc} ran. A
 * container's cgroup is named after its isolate ({@code isolate-PID-STARTTIME}), and this
 * test knows the pid of each isolate it starts (scripts/isolate execs the JVM), so it looks
 * for its own leftovers only: other isolates may run on the machine meanwhile.
 */
class CgroupCleanupIT {
    private static final Isolate ROOT = Isolate.AS_ROOT;
    /** Names this test's own --cgroup-parent and marks its commands, so that pgrep finds only its processes. */
    private final String marker = "isolate-it-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final List<Path> made = new ArrayList<>();

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    /** These directories below each hierarchy's root, removed after the test if they are there. */
    private void removedAfterwards(String... paths) throws IOException {
        for (Hierarchies.Hierarchy h : Hierarchies.read().all()) {
            for (String path : paths) {
                made.add(h.mountPoint().resolve(path));
            }
        }
    }

    /** Directories the test made, deepest first, and anything a failed assertion left below them. */
    @AfterEach
    void removeWhatTheTestMade() throws Exception {
        for (Path dir : made) {
            if (Files.isDirectory(dir)) {
                try (Stream<Path> children = Files.list(dir)) {
                    for (Path leaf : children.filter(Files::isDirectory).toList()) {
                        removeWhenEmpty(leaf);
                    }
                }
                removeWhenEmpty(dir);
            }
        }
    }

    /** rmdir, given the time a killed process takes to leave its cgroup. */
    private static void removeWhenEmpty(Path dir) throws Exception {
        for (int i = 0; ; i++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException busy) {
                if (i == 100) {
                    throw busy;
                }
                Thread.sleep(20);
            }
        }
    }

    @Test
    void aFailedLaunchLeavesNoCgroupAndACommandLineErrorMakesNone() throws Exception {
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            for (Hierarchies.Hierarchy h : Hierarchies.read().all()) {
                h.mountPoint().register(watch, ENTRY_CREATE, ENTRY_DELETE);
            }
            String[] parent = {"--cgroup-parent", marker, "--memory", "32m"};
            removedAfterwards(marker); // should a launch leave it

            Result badOption = run(parent, "--bogus", "true");
            assertEquals(125, badOption.exit(), badOption.err());
            assertTrue(badOption.err().startsWith("isolate: Unknown option: '--bogus'"), badOption.err());
            assertEquals(List.of(), events(watch), "a command-line error made a cgroup");

            Result badRootfs = run(parent, "-R", "/nonexistent-" + marker, "true");
            assertEquals(125, badRootfs.exit(), badRootfs.err());
            assertEquals("isolate: rootfs /nonexistent-" + marker + ": no such file or directory\n", badRootfs.err());
            assertEquals(List.of(), events(watch), "a -R refused before the cgroup was due made one");

            // The cgroup is made for this one, and the watch sees it: the two above are no blind spot.
            Result notFound = run(parent, "/nonexistent-" + marker);
            assertEquals(127, notFound.exit(), notFound.err());
            assertEquals("isolate: exec \"/nonexistent-" + marker + "\": No such file or directory\n", notFound.err());
            List<String> seen = events(watch);
            assertTrue(seen.contains("create " + marker) && seen.contains("delete " + marker), seen.toString());
        }
        assertEquals(List.of(), everywhere(marker));
    }

    @Test
    void aLimitTheKernelRefusesLeavesNoCgroupInAnyHierarchy() throws Exception {
        Hierarchies.Hierarchy cpu = Hierarchies.read().holding("cpu").orElseThrow();
        Path parent = cpu.mountPoint().resolve(marker);
        Files.createDirectory(parent);
        removedAfterwards(marker);
        // cgroup v1 refuses a child more CPU than its parent has (v2 takes it and caps it):
        // the cgroups made before cpu's must go. On v2, with one hierarchy, the leaf itself is refused.
        Files.writeString(parent.resolve(cpu.unified() ? "cgroup.max.descendants" : "cpu.cfs_quota_us"),
                cpu.unified() ? "0" : "10000");

        Result r = run(new String[] {"--cgroup-parent", marker, "--memory", "32m"}, "--cpus", "1", "true");

        assertEquals(125, r.exit(), r.err());
        assertTrue(r.err().matches("isolate: cgroup: (write 100000 to|mkdir) " + Pattern.quote(parent.toString())
                + "/isolate-[0-9]+-[0-9]+(/cpu\\.cfs_quota_us)?: [^\n]+\n"), r.err());
        assertEquals(List.of(parent), everywhere(marker), "the cgroups made before it are left");
        try (Stream<Path> leaves = Files.list(parent)) {
            assertEquals(List.of(), leaves.filter(Files::isDirectory).toList());
        }
    }

    /**
     * Two launches share a parent: one may find it made by the other, which has not yet
     * given it its CPUs and memory nodes (cgroup v1's cpuset starts a directory with none,
     * and a cgroup without them takes no process). The late one fills it rather than fail.
     * Here the parent is made as the other launch would have, and left as it would be then.
     */
    @Test
    void aCpusetParentMadeButNotYetFilledByAnotherLaunchIsFilled() throws Exception {
        Hierarchies.Hierarchy cpuset = Hierarchies.read().holding("cpuset").orElseThrow();
        Path parent = cpuset.mountPoint().resolve(marker);
        Files.createDirectory(parent);
        removedAfterwards(marker);

        Result r = run(new String[] {"--cgroup-parent", marker, "--cpuset-cpus", "0"},
                "grep", "Cpus_allowed_list", "/proc/self/status");

        assertEquals(0, r.exit(), r.err());
        assertEquals("Cpus_allowed_list:\t0\n", r.out());
    }

    /**
     * Root's container without -R may write its own cgroup: it makes one below it in every
     * hierarchy and leaves a sleeper there. When it ends, that is killed and removed too.
     */
    @Test
    void cgroupsTheContainerMadeInItsOwnAreRemovedWithIt() throws Exception {
        String duration = "300." + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
        StringBuilder mounts = new StringBuilder();
        for (Hierarchies.Hierarchy h : Hierarchies.read().all()) {
            mounts.append(' ').append(h.mountPoint());
        }
        Result r = ROOT.run("--memory", "32m", "sh", "-c", "leaf=$(grep -o 'isolate-[0-9]*-[0-9]*$' /proc/self/cgroup"
                + " | head -n 1); made=0; for m in" + mounts + "; do [ -d $m/isolate/$leaf ] || continue;"
                + " mkdir $m/isolate/$leaf/" + marker + " && echo $$ > $m/isolate/$leaf/" + marker + "/cgroup.procs"
                + " && made=$((made + 1)); done; sleep " + duration + " & echo $made $leaf");
        assertEquals(0, r.exit(), r.err());
        assertEquals("", r.err());
        String[] madeInLeaf = r.out().strip().split(" ");
        assertTrue(Integer.parseInt(madeInLeaf[0]) >= 1, "no cgroup made inside: " + r.out());
        assertEquals(List.of(), sleepers(duration), "the sleeper in the container's own cgroup is left");
        assertEquals(List.of(), everywhere("isolate/" + madeInLeaf[1]));
    }

    /**
     * A launch moves a thread of its own into the cgroup it is in from main on, for the kernel's
     * grace period (host.cgroup.GracePeriod): while its command runs, every thread of isolate is
     * where this test started it, and the moving thread is gone, whether the launch made a
     * cgroup (it stops at the child's move) or not (it stops once that is decided). Without -p
     * the command's parent is isolate's JVM; its threads' names are cut to 15 bytes.
     */
    @Test
    void isolateStaysInTheCgroupsItStartedInAndStopsMovingOnceTheChildIsIn() throws Exception {
        String started = String.join("\n", new TreeSet<>(Files.readAllLines(Path.of("/proc/self/cgroup")))) + "\n";
        String report = "for i in $(seq 50); do grep -q '^isolate-cgroup-' /proc/$PPID/task/*/comm || break; sleep 0.01;"
                + " done; grep -l '^isolate-cgroup-' /proc/$PPID/task/*/comm; cat /proc/$PPID/task/*/cgroup | LC_ALL=C sort -u";
        for (List<String> options : List.<List<String>>of(List.of(), List.of("--memory", "32m"),
                List.of("--cgroup-manager", "disabled"))) {
            List<String> args = new ArrayList<>(options);
            args.addAll(List.of("-m", "sh", "-c", report));
            Result r = ROOT.run(args.toArray(String[]::new));
            assertEquals(0, r.exit(), options + ": " + r.err());
            assertEquals(started, r.out(), options + ": isolate's threads (and a mover still there, first)");
        }
    }

    @Test
    void twoHundredLimitedRunsTwoAtATimeLeaveNothing() throws Exception {
        Set<Long> isolates = ConcurrentHashMap.newKeySet();
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < 2; lane++) {
            lanes.add(CompletableFuture.runAsync(() -> {
                for (int i = 0; i < 100; i++) {
                    try {
                        // The marker in isolate's own arguments, for pgrep: true takes none.
                        List<String> command = new ArrayList<>(List.of("env", "--default-signal"));
                        command.addAll(ROOT.command("-e", "MARK=" + marker, "--memory", "32m", "--pids-limit", "20",
                                "--cpus", "1", "true"));
                        Process p = new ProcessBuilder(command).directory(Path.of("/tmp").toFile())
                                .redirectErrorStream(true).start();
                        isolates.add(p.pid());
                        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        assertTrue(p.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS), "run " + i + " hung");
                        assertEquals(0, p.exitValue(), "run " + i + " of isolate " + p.pid() + ": " + out);
                        assertEquals("", out, "run " + i + " of isolate " + p.pid());
                    } catch (IOException | InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }));
        }
        for (CompletableFuture<Void> lane : lanes) {
            lane.get(600, TimeUnit.SECONDS);
        }
        assertEquals(200, isolates.size());
        assertEquals(List.of(), leavesOf(isolates));
        assertDefaultParentGoneOrOthers(isolates);
        assertEquals(List.of(), processes(marker));
    }

    /**
     * gc over and over while containers start and end: it removes the default parent
     * whenever it finds it empty, between one launch's two mkdirs too, and must never take a
     * running container's cgroup.
     */
    @Test
    void gcWhileContainersStartAndEndBreaksNone() throws Exception {
        CompletableFuture<Void> runs = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < 40; i++) {
                Result r = ROOT.run("--memory", "32m", "--pids-limit", "20", "sh", "-c",
                        "sleep 0.1; cat /proc/self/cgroup");
                assertEquals(0, r.exit(), "run " + i + ": " + r.err());
                assertTrue(r.out().lines().anyMatch(line -> line.matches(
                        "[0-9]+:[^:]*:/isolate/isolate-[0-9]+-[0-9]+")), "run " + i + " outside its cgroup: " + r.out());
            }
        });
        int collections = 0;
        while (!runs.isDone()) {
            Result gc = ROOT.run("gc");
            assertEquals(0, gc.exit(), gc.err());
            collections++;
        }
        runs.get();
        assertTrue(collections > 1, "gc ran " + collections + " time(s) only");
    }

    @Test
    void gcKillsAndRemovesWhatAKilledIsolateLeft() throws Exception {
        assertGcCollects(List.of(), "isolate");
    }

    @Test
    void gcFindsANamedContainersCgroupBelowItsRecordedParent() throws Exception {
        String name = marker + "-named";
        removedAfterwards(marker + "/jobs", marker); // isolate makes them, and a killed one leaves them
        try {
            assertGcCollects(List.of("--name", name, "--cgroup-parent", marker + "/jobs"), marker + "/jobs");
            assertEquals(List.of(), everywhere(marker + "/jobs/isolate-*"));
        } finally {
            ROOT.run("rm", name);
        }
    }

    /**
     * kill -9 of isolate while its command runs two sleepers in the background: the command
     * dies with isolate (parent-death signal), the sleepers outlive it in the container's
     * cgroup, which stays. gc as nobody leaves root's alone; gc as root kills them and
     * removes it.
     */
    private void assertGcCollects(List<String> options, String parent) throws Exception {
        String duration = "300." + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("--memory", "32m", "sh", "-c", "sleep " + duration + " & sleep " + duration + " & wait"));
        Process isolate = ROOT.start(args.toArray(String[]::new));
        List<Path> leaves;
        List<ProcessHandle> sleepers;
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Isolate.TIMEOUT_SECONDS);
            while ((sleepers = sleepers(duration)).size() < 2) {
                assertTrue(isolate.isAlive() && System.nanoTime() < deadline, "the sleepers never started");
                Thread.sleep(20);
            }
            leaves = leavesOf(Set.of(isolate.pid()));
            assertFalse(leaves.isEmpty(), "no cgroup for isolate " + isolate.pid());
            for (Path leaf : leaves) {
                assertTrue(Hierarchies.read().all().stream().anyMatch(h -> leaf.getParent().equals(h.mountPoint()
                        .resolve(parent))), leaf + " is not below " + parent);
            }
            Isolate.kill(isolate.pid(), "KILL");
            assertTrue(isolate.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS));
        } finally {
            if (isolate.isAlive()) {
                isolate.destroyForcibly();
            }
        }
        try {
            assertCollected(isolate, duration, leaves, sleepers);
        } finally {
            sleepers(duration).forEach(ProcessHandle::destroyForcibly); // what a failed assertion left
        }
    }

    private void assertCollected(Process isolate, String duration, List<Path> leaves, List<ProcessHandle> sleepers)
            throws Exception {
        assertTrue(sleepers.stream().allMatch(ProcessHandle::isAlive), "the sleepers outlive isolate");
        assertTrue(leaves.stream().allMatch(Files::isDirectory), "and so does their cgroup");

        Result rootless = Isolate.exec(Isolate.asNobody(RootlessCopy.script()).command("gc"), null);
        assertEquals(0, rootless.exit(), rootless.err());
        assertFalse(rootless.out().contains("cgroup"), rootless.out());
        assertTrue(leaves.stream().allMatch(Files::isDirectory), "nobody's gc removed root's cgroup");
        assertTrue(sleepers.stream().allMatch(ProcessHandle::isAlive), "nobody's gc killed root's processes");

        Result gc = ROOT.run("gc");
        assertEquals(0, gc.exit(), gc.err());
        Set<String> lines = Set.copyOf(gc.out().lines().toList());
        for (Path leaf : leaves) {
            assertTrue(lines.contains("removed cgroup " + leaf), leaf + " not in: " + gc.out());
            assertFalse(Files.exists(leaf), leaf + " is left");
        }
        assertEquals(List.of(), sleepers(duration), "gc left the sleepers running");
        assertDefaultParentGoneOrOthers(Set.of(isolate.pid()));
    }

    private Result run(String[] first, String... rest) {
        List<String> args = new ArrayList<>(List.of(first));
        args.addAll(List.of(rest));
        return ROOT.run(args.toArray(String[]::new));
    }

    /** What the watch saw happen to directories named after this test since it was last asked. */
    private List<String> events(WatchService watch) throws InterruptedException {
        List<String> seen = new ArrayList<>();
        WatchKey key;
        while ((key = watch.poll(300, TimeUnit.MILLISECONDS)) != null) {
            for (WatchEvent<?> event : key.pollEvents()) {
                String name = event.context().toString();
                if (name.startsWith(marker)) {
                    seen.add((event.kind() == ENTRY_CREATE ? "create " : "delete ") + name);
                }
            }
            key.reset();
        }
        return seen;
    }

    /** This path below each hierarchy's root, where it exists; a last name "isolate-*" matches any leaf. */
    private static List<Path> everywhere(String path) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Hierarchies.Hierarchy h : Hierarchies.read().all()) {
            Path dir = h.mountPoint().resolve(path);
            if (dir.getFileName().toString().equals("isolate-*")) {
                if (Files.isDirectory(dir.getParent())) {
                    try (Stream<Path> children = Files.list(dir.getParent())) {
                        children.filter(c -> c.getFileName().toString().startsWith("isolate-"))
                                .filter(Files::isDirectory).forEach(found::add);
                    }
                }
            } else if (Files.isDirectory(dir)) {
                found.add(dir);
            }
        }
        return found;
    }

    /** The cgroups of these isolates, in any hierarchy, below the default parent or this test's own. */
    private List<Path> leavesOf(Set<Long> isolates) throws IOException {
        List<Path> found = new ArrayList<>();
        for (Hierarchies.Hierarchy h : Hierarchies.read().all()) {
            for (Path parent : List.of(h.mountPoint().resolve("isolate"), h.mountPoint().resolve(marker + "/jobs"))) {
                if (!Files.isDirectory(parent)) {
                    continue;
                }
                try (Stream<Path> children = Files.list(parent)) {
                    children.filter(c -> isolates.stream().anyMatch(pid -> c.getFileName().toString()
                            .startsWith("isolate-" + pid + "-"))).forEach(found::add);
                }
            }
        }
        return found;
    }

    /**
     * The default parent is removed by the last container that leaves it: where it is still
     * there, it holds another isolate's cgroup (another test's, or a killed one's that gc was
     * not asked to collect), never only what these isolates left.
     */
    private void assertDefaultParentGoneOrOthers(Set<Long> ours) throws Exception {
        for (Hierarchies.Hierarchy h : Hierarchies.read().all()) {
            Path parent = h.mountPoint().resolve("isolate");
            Set<String> others = new TreeSet<>();
            for (int i = 0; i < 50 && Files.isDirectory(parent); i++) {
                others.clear();
                try (Stream<Path> children = Files.list(parent)) {
                    children.filter(Files::isDirectory).map(c -> c.getFileName().toString())
                            .filter(n -> ours.stream().noneMatch(pid -> n.startsWith("isolate-" + pid + "-")))
                            .forEach(others::add);
                } catch (java.nio.file.NoSuchFileException gone) {
                    break;
                }
                if (!others.isEmpty()) {
                    break;
                }
                Thread.sleep(40); // another isolate may be between its mkdirs
            }
            assertTrue(!Files.isDirectory(parent) || !others.isEmpty(), parent + " is left empty");
        }
    }

    /** The sleep processes of this duration (none of them a zombie, which has no command line). */
    private static List<ProcessHandle> sleepers(String duration) {
        return ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").endsWith("/sleep")
                && List.of(p.info().arguments().orElse(new String[0])).equals(List.of(duration))).toList();
    }

    /** Processes whose command line holds this text (none of them a zombie, which has none). */
    private static List<ProcessHandle> processes(String text) {
        return ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(text)).toList();
    }
}
