package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Named containers through run --name, ps, ns, stop, kill and rm, as root; {@link RootlessLifecycleIT} as nobody. */
class LifecycleIT {
    private static final Pattern PS_ENTRY = Pattern.compile("\\{\"name\": \"([^\"]+)\", \"pid\": (\\d+|null),"
            + " \"namespaces\": \\[[^]]*], \"command\": \\[[^]]*], \"started\": \"[^\"]+\", \"status\": \"(\\w+)\","
            + " \"exitCode\": (\\d+|null), \"cgroups\": \\[[^]]*], \"outOfMemory\": (?:true|false), \"usage\": (?:null|\\{[^}]*})}");
    private final List<Process> started = new ArrayList<>();
    private final String prefix = "it" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000 + "-";
    Path runtime;

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    /** Where the store keeps its containers: root's is always under /run/isolate. */
    Path containersDirectory() {
        return Path.of("/run/isolate/containers");
    }

    /** Runs isolate with its state in a directory of this test's (root's is always /run/isolate). */
    private Isolate withState() {
        return isolate().withEnvironment("XDG_RUNTIME_DIR=" + runtime);
    }

    @BeforeEach
    void setUp() throws IOException {
        Privileged.requireRoot();
        runtime = Files.createTempDirectory(Path.of("/tmp"), "isolate-runtime");
        TestImages.run(List.of("chown", "65534:65534", runtime.toString()));
    }

    @AfterEach
    void tearDown() {
        started.forEach(p -> {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        });
        for (String name : ps(true).keySet()) {
            withState().run("rm", "-f", name);
        }
        TestImages.delete(runtime);
    }

    private Process start(String name, String... command) throws IOException {
        List<String> args = new ArrayList<>(List.of("run", "--name", name));
        args.addAll(List.of(command));
        Process p = withState().start(args.toArray(String[]::new));
        started.add(p);
        return p;
    }

    /** name -> {pid, status, exitCode} of this test's containers, from isolate ps --json. */
    private Map<String, String[]> ps(boolean all) {
        Result r = all ? withState().run("ps", "-a", "--json") : withState().run("ps", "--json");
        assertEquals(0, r.exit(), r.err());
        Map<String, String[]> containers = new TreeMap<>();
        Matcher m = PS_ENTRY.matcher(r.out());
        while (m.find()) {
            if (m.group(1).startsWith(prefix)) {
                containers.put(m.group(1), new String[] {m.group(2), m.group(3), m.group(4)});
            }
        }
        return containers;
    }

    private String[] awaitRunning(String name) throws InterruptedException {
        for (int i = 0; i < 400; i++) {
            String[] entry = ps(false).get(name);
            if (entry != null && !entry[0].equals("null")) {
                return entry;
            }
            TimeUnit.MILLISECONDS.sleep(25);
        }
        throw new AssertionError(name + " never ran");
    }

    @Test
    void runPsNsStopRmRoundTrip() throws Exception {
        String name = prefix + "web";
        Process container = start(name, "-npu", "box", "sh", "-c", "trap 'exit 3' TERM; sleep 300 & wait");
        String[] entry = awaitRunning(name);
        assertEquals("running", entry[1]);

        Result ns = withState().run("ns", "--json", name);
        assertEquals(0, ns.exit(), ns.err());
        String uts = Files.readSymbolicLink(Path.of("/proc", entry[0], "ns", "uts")).toString();
        assertTrue(ns.out().contains("\"type\": \"uts\", \"ns\": " + uts.substring(5, uts.length() - 1)
                + ", \"differs\": true"), ns.out());

        Result taken = withState().run("run", "--name", name, "true");
        assertEquals(125, taken.exit());
        assertEquals("isolate: name \"" + name + "\": in use by a running container (pid " + entry[0] + ")\n",
                taken.err());

        ProcessHandle supervisor = ProcessHandle.of(Long.parseLong(entry[0])).flatMap(ProcessHandle::parent)
                .orElseThrow();
        Result stop = withState().run("stop", name);
        assertEquals(0, stop.exit(), stop.err());
        assertEquals(name + "\n", stop.out());
        assertFalse(supervisor.isAlive(), "stop returned before the container's isolate had undone its cgroup and ended");
        assertTrue(container.waitFor(10, TimeUnit.SECONDS));
        assertEquals(3, container.exitValue(), "the command's TERM trap ran");
        assertEquals(List.of("exited", "3"), List.of(ps(true).get(name)[1], ps(true).get(name)[2]));
        assertEquals(Map.of(), ps(false));

        Result rm = withState().run("rm", name);
        assertEquals(0, rm.exit(), rm.err());
        assertEquals(Map.of(), ps(true));
    }

    @Test
    void stopKillsWhatIgnoresTermAfterTheGracePeriod() throws Exception {
        String name = prefix + "stubborn";
        Process container = start(name, "-p", "sleep", "300"); // PID 1 ignores TERM
        awaitRunning(name);
        long before = System.nanoTime();
        assertEquals(0, withState().run("stop", "-t", "1", name).exit());
        assertTrue(System.nanoTime() - before >= TimeUnit.SECONDS.toNanos(1), "waited the grace period");
        assertTrue(container.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, container.exitValue());
        assertEquals("137", ps(true).get(name)[2]);
    }

    @Test
    void killSendsTheSignalGiven() throws Exception {
        String name = prefix + "signalled";
        Process container = start(name, "-p", "sh", "-c", "trap 'exit 7' USR1; sleep 300 & wait");
        awaitRunning(name);
        assertEquals(0, withState().run("kill", name, "SIGUSR1").exit());
        assertTrue(container.waitFor(10, TimeUnit.SECONDS));
        assertEquals(7, container.exitValue());
    }

    @Test
    void aKilledIsolateLeavesStateThatReadsAsExited() throws Exception {
        String name = prefix + "orphan";
        Process container = start(name, "-p", "sleep", "300");
        String pid = awaitRunning(name)[0];
        container.toHandle().descendants().filter(p -> p.info().command().orElse("").contains("java"))
                .forEach(ProcessHandle::destroyForcibly);
        container.destroyForcibly(); // scripts/isolate's JVM (or the wrapper), with SIGKILL
        assertTrue(container.waitFor(10, TimeUnit.SECONDS));
        for (int i = 0; i < 200 && Files.exists(Path.of("/proc", pid)); i++) {
            TimeUnit.MILLISECONDS.sleep(25); // the command dies with isolate (parent-death signal)
        }
        assertEquals(List.of("exited", "null"), List.of(ps(true).get(name)[1], ps(true).get(name)[2]));
        Result psText = withState().run("ps", "-a");
        assertTrue(psText.out().contains("exited (?)"), psText.out());
        assertEquals(0, withState().run("run", "--name", name, "true").exit(), "an exited name can be reused");
        assertEquals(0, withState().run("gc").exit(), "the killed isolate's cgroup is gc's to remove");
    }

    @Test
    void psWaitsForAnEndedCommandsStatusWhileItsIsolateRecordsIt() throws Exception {
        String name = prefix + "ending";
        Process container = start(name, "-p", "sleep", "300");
        long pid = Long.parseLong(awaitRunning(name)[0]);
        String supervisor = Long.toString(ProcessHandle.of(pid).flatMap(ProcessHandle::parent).orElseThrow().pid());
        // Stopped, isolate cannot reap its command: the command has ended, and nothing is recorded yet.
        TestImages.run(List.of("kill", "-STOP", supervisor));
        try {
            TestImages.run(List.of("kill", "-KILL", Long.toString(pid)));
            CompletableFuture<Result> ps = CompletableFuture.supplyAsync(() -> withState().run("ps", "-a"));
            TimeUnit.MILLISECONDS.sleep(500);
            assertFalse(ps.isDone(), "ps went on before isolate recorded the end: " + (ps.isDone() ? ps.get().out() : ""));
            TestImages.run(List.of("kill", "-CONT", supervisor));
            Result listed = ps.get(10, TimeUnit.SECONDS);
            assertEquals(0, listed.exit(), listed.err());
            assertTrue(listed.out().contains("exited (137)"), listed.out());
        } finally {
            Isolate.exec(List.of("kill", "-CONT", supervisor), null); // gone once it has recorded the end
        }
        assertTrue(container.waitFor(10, TimeUnit.SECONDS));
        assertEquals(137, container.exitValue());
    }

    @Test
    void twentyContainersStartedInParallelAreAllListedAndStoppedInOneGracePeriod() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add(prefix + "p" + i);
            start(names.get(i), "-p", "sh", "-c", "trap '' TERM; sleep 300 & wait");
        }
        List<String> pids = new ArrayList<>();
        for (String name : names) {
            pids.add(awaitRunning(name)[0]);
        }
        Map<String, String[]> listed = ps(false);
        assertEquals(names.stream().sorted().toList(), List.copyOf(listed.keySet()));
        assertEquals(20, pids.stream().distinct().count());
        List<String> stop = new ArrayList<>(List.of("stop", "-t", "2"));
        stop.addAll(names);
        long before = System.nanoTime();
        Result stopped = withState().run(stop.toArray(String[]::new));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        System.out.println("stop -t 2 of 20 containers that ignore SIGTERM: " + millis + " ms");
        assertEquals(0, stopped.exit(), stopped.err());
        assertEquals(names.stream().sorted().toList(), stopped.out().lines().sorted().toList());
        assertTrue(millis >= 2000, "waited the grace period: " + millis + " ms");
        // One after the other, their grace periods alone would take 40 s.
        assertTrue(millis < 15000, "one grace period for all: " + millis + " ms");
        assertEquals(Map.of(), ps(false));
        ps(true).values().forEach(entry -> assertEquals("137", entry[2], "killed after the grace period"));
    }

    @Test
    void stopAndRmActOnEveryNameAndReportEachMissingOne() throws Exception {
        String a = prefix + "a";
        String b = prefix + "b";
        String missing = prefix + "nosuch";
        // -p: the background sleep dies with its PID namespace instead of outliving the test.
        Process first = start(a, "-p", "sh", "-c", "trap 'exit 3' TERM; sleep 300 & wait");
        Process second = start(b, "-p", "sh", "-c", "trap 'exit 4' TERM; sleep 300 & wait");
        awaitRunning(a);
        awaitRunning(b);
        Result stop = withState().run("stop", a, missing, b);
        assertEquals(1, stop.exit(), "docker stop's status when a name failed");
        assertEquals(List.of(a, b), stop.out().lines().sorted().toList());
        assertEquals("isolate: no container named \"" + missing + "\"\n", stop.err());
        assertTrue(first.waitFor(10, TimeUnit.SECONDS) && second.waitFor(10, TimeUnit.SECONDS));
        assertEquals(List.of(3, 4), List.of(first.exitValue(), second.exitValue()), "both got SIGTERM");

        start(a, "sleep", "300");
        awaitRunning(a);
        Result rm = withState().run("rm", "-f", a, missing, b);
        assertEquals(1, rm.exit());
        assertEquals(a + "\n" + b + "\n", rm.out());
        assertEquals("isolate: no container named \"" + missing + "\"\n", rm.err());
        assertEquals(Map.of(), ps(true), "the running one was killed, both were removed");

        start(a, "sleep", "300");
        awaitRunning(a);
        Result busy = withState().run("rm", a, missing);
        assertEquals(1, busy.exit());
        assertEquals("", busy.out());
        assertEquals("isolate: " + a + ": running: stop it first, or use rm -f\n"
                + "isolate: no container named \"" + missing + "\"\n", busy.err());
    }

    @Test
    void optionsMayFollowTheNames() throws Exception {
        String name = prefix + "late";
        Result run = withState().run("run", "-d", "--name", name, "-p", "sh", "-c", "echo hello; sleep 300");
        assertEquals(0, run.exit(), run.err());
        Result stop = withState().run("stop", name, "-t", "1");
        assertEquals(List.of(0, name + "\n"), List.of(stop.exit(), stop.out()), stop.err());
        assertEquals("137", ps(true).get(name)[2], "PID 1 ignored TERM, and -t 1 was the grace period");
        assertEquals("hello\n", withState().run("logs", name, "-f").out(), "-f ends with the container");
        start(name, "sleep", "300");
        awaitRunning(name);
        Result rm = withState().run("rm", name, "-f");
        assertEquals(List.of(0, name + "\n"), List.of(rm.exit(), rm.out()), rm.err());
        assertEquals(Map.of(), ps(true));
    }

    @Test
    void psQuietPrintsNamesOnly() throws Exception {
        String running = prefix + "q-running";
        String exited = prefix + "q-exited";
        start(running, "sleep", "300");
        awaitRunning(running);
        assertEquals(0, withState().run("run", "--name", exited, "true").exit());
        assertEquals(List.of(running), ours(withState().run("ps", "-q")));
        assertEquals(List.of(exited, running), ours(withState().run("ps", "-a", "-q")).stream().sorted().toList());
        assertEquals(List.of(exited, running), ours(withState().run("ps", "-aq")).stream().sorted().toList());
        Result both = withState().run("ps", "-q", "--json");
        assertEquals(List.of(125, "", "isolate: -q and --json: use one of them\n"),
                List.of(both.exit(), both.out(), both.err()));
    }

    /** This test's names among ps -q's lines, which are names and nothing else. */
    private List<String> ours(Result ps) {
        assertEquals(0, ps.exit(), ps.err());
        ps.out().lines().forEach(line -> assertTrue(line.matches("[a-zA-Z0-9][a-zA-Z0-9_.-]*"), line));
        return ps.out().lines().filter(line -> line.startsWith(prefix)).toList();
    }

    @Test
    void aNameThatClimbsOutOfTheStoreTouchesNothing() throws Exception {
        // Records that parse, outside the store, where anyone may write in /tmp: one of an
        // exited container and one whose command is a process of the caller's.
        Path exited = record("exited", null);
        List<String> sleep = new ArrayList<>(Isolate.AS_NOBODY);
        sleep.addAll(List.of("sleep", "300"));
        Process victim = new ProcessBuilder(sleep).start();
        started.add(victim);
        Path live = record("live", victim);
        String exitedName = containersDirectory().relativize(exited).toString();
        String liveName = containersDirectory().relativize(live).toString();
        assertTrue(exitedName.startsWith("../../"), exitedName);
        String good = prefix + "good";
        start(good, "sleep", "300");
        awaitRunning(good);
        List<List<String>> cases = List.of(List.of("rm", exitedName), List.of("rm", "-f", good, exitedName),
                List.of("stop", good, liveName), List.of("kill", liveName, "TERM"), List.of("logs", exitedName),
                List.of("exec", liveName, "true"), List.of("ns", liveName));
        for (List<String> args : cases) {
            String bad = args.contains(liveName) ? liveName : exitedName;
            Result r = withState().run(args.toArray(String[]::new));
            assertEquals(List.of(125, "", "isolate: \"" + bad + "\": not a container name (up to 64 letters, digits,"
                    + " '_', '.' and '-', starting with a letter or digit)\n"), List.of(r.exit(), r.out(), r.err()),
                    args.toString());
        }
        assertTrue(Files.exists(exited.resolve("record")), "rm left it alone");
        assertTrue(victim.isAlive(), "kill and stop signalled nothing");
        assertEquals("running", ps(false).get(good)[1], "a bad name among good ones fails before anything is done");
    }

    /** A container record in the test's runtime directory (outside the store), owned by nobody. */
    private Path record(String name, Process command) throws IOException {
        Path dir = Files.createDirectory(runtime.resolve(name));
        String started = "started=2026-12-01T00\\:00\\:00Z\nname=" + name + "\nnamespaces=\nargv.0=sleep\n";
        if (command == null) {
            Files.writeString(dir.resolve("record"), started + "supervisor.pid=1\nsupervisor.start=1\nexit=0\n");
        } else {
            String pid = Long.toString(command.pid());
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            String start = stat.substring(stat.lastIndexOf(')') + 2).split(" ")[19];
            Files.writeString(dir.resolve("record"), started + "command.pid=" + pid + "\ncommand.start=" + start
                    + "\nsupervisor.pid=" + pid + "\nsupervisor.start=" + start + "\n");
        }
        TestImages.run(List.of("chown", "-R", "65534:65534", dir.toString()));
        return dir;
    }

    @Test
    void namesNoFileCouldHaveAreOneLineErrors() {
        // The bytes go through sh's printf: the test JVM's own locale must not decide how they are passed.
        String rightToLeft = " \"$(printf '\\342\\200\\256x')\"";
        String umlaut = " \"$(printf '\\303\\274')\"";
        for (String line : List.of(withState().shellCommand("logs") + rightToLeft,
                "LC_ALL=C " + withState().shellCommand("kill") + umlaut + " KILL",
                "LC_ALL=C " + withState().shellCommand("stop") + umlaut,
                withState().shellCommand("exec") + rightToLeft + " true")) {
            Result r = Isolate.exec(List.of("sh", "-c", line), null);
            assertEquals(125, r.exit(), line + ": " + r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("isolate: \"") && r.err().endsWith("\": not a container name (up to 64"
                    + " letters, digits, '_', '.' and '-', starting with a letter or digit)\n"), r.err());
        }
    }

    @Test
    void detachedStartsInParallelEachReportWhatHappened() throws Exception {
        // Commands that end at once: a starter must not mistake a supervisor that already recorded
        // the end for one that never ran it.
        int starts = 20;
        List<CompletableFuture<Result>> runs = new ArrayList<>();
        for (int i = 0; i < starts; i++) {
            String name = prefix + "d" + i;
            runs.add(CompletableFuture.supplyAsync(() -> withState().run("run", "-d", "--name", name, "true")));
        }
        for (int i = 0; i < starts; i++) {
            Result run = runs.get(i).get();
            assertEquals(List.of(0, prefix + "d" + i + "\n", ""), List.of(run.exit(), run.out(), run.err()),
                    "start " + i);
        }
        Map<String, String[]> listed = ps(true);
        for (int i = 0; i < starts; i++) {
            String[] entry = listed.get(prefix + "d" + i);
            // Until its isolate has recorded the end: ps says exited as soon as the command is gone,
            // and the exit status (null until then) a moment later.
            for (int wait = 0; wait < 200 && (entry == null || !entry[1].equals("exited") || entry[2].equals("null"));
                    wait++) {
                TimeUnit.MILLISECONDS.sleep(25);
                entry = ps(true).get(prefix + "d" + i);
            }
            assertEquals(List.of("exited", "0"), List.of(entry[1], entry[2]), "the record of start " + i);
        }
    }

    @Test
    void detachPsLogsExecStopRmRoundTrip() throws Exception {
        String name = prefix + "detached";
        Result run = withState().run("run", "-d", "--name", name, "-npu", "box", "sh", "-c",
                "echo hello; echo oops >&2; trap 'exit 4' TERM; sleep 300 & wait");
        assertEquals(0, run.exit(), run.err());
        assertEquals(name + "\n", run.out(), "only the name, once the command runs");
        assertEquals("running", ps(false).get(name)[1]);
        Result exec = withState().run("exec", name, "hostname");
        assertEquals("box\n", exec.out(), exec.err());
        for (int i = 0; i < 200 && !withState().run("logs", name).out().contains("oops"); i++) {
            TimeUnit.MILLISECONDS.sleep(25);
        }
        assertEquals("hello\noops\n", withState().run("logs", name).out());
        assertEquals(0, withState().run("stop", name).exit());
        assertEquals(List.of("exited", "4"), List.of(ps(true).get(name)[1], ps(true).get(name)[2]),
                "the supervising isolate recorded the exit status");
        assertEquals("hello\noops\n", withState().run("logs", "-f", name).out(), "-f ends with the container");
        assertEquals(0, withState().run("rm", name).exit());
        assertEquals(Map.of(), ps(true));
    }

    /**
     * A detached container's supervisor gives back the JDK's idle pages once the command runs
     * (sys.IdleFilePages: -v says how much it released), and still records how the command ended.
     */
    @Test
    void aDetachedSupervisorReleasesItsIdlePagesAndStillRecordsTheExit() throws Exception {
        String name = prefix + "idle";
        Result run = withState().run("run", "-d", "-v", "--name", name, "sh", "-c", "sleep 1; exit 3");
        assertEquals(0, run.exit(), run.err());
        for (int i = 0; i < 400 && !"exited".equals(ps(true).get(name)[1]); i++) {
            TimeUnit.MILLISECONDS.sleep(25);
        }
        assertEquals(List.of("exited", "3"), List.of(ps(true).get(name)[1], ps(true).get(name)[2]));
        String log = withState().run("logs", name).out();
        Matcher released = Pattern.compile("released (\\d+) kB of the JDK's mappings").matcher(log);
        assertTrue(released.find(), log);
        assertTrue(Long.parseLong(released.group(1)) > 0, log);
    }

    @Test
    void detachWithoutANameMakesOneAndFailuresComeBackAsOneLine() throws Exception {
        Result run = withState().run("run", "-d", "true");
        assertEquals(0, run.exit(), run.err());
        String name = run.out().strip();
        assertTrue(name.matches("[0-9a-f]{12}"), name);
        assertEquals(0, withState().run("rm", "-f", name).exit());

        Result failed = withState().run("run", "-d", "--name", prefix + "failed", "-R", "/no/such/rootfs", "true");
        assertEquals(125, failed.exit());
        assertEquals("isolate: rootfs /no/such/rootfs: no such file or directory\n", failed.err());
        assertEquals("", failed.out());
        assertEquals(Map.of(), ps(true), "the name is free again");
    }

    @Test
    void badInputIsOneLine() throws Exception {
        Map<List<String>, String> cases = Map.of(
                List.of("kill", prefix + "nothing"), "isolate: no container named \"" + prefix + "nothing\"",
                List.of("ns", prefix + "nothing"), "isolate: no container named \"" + prefix + "nothing\"",
                List.of("run", "--name", "_bad", "true"), "isolate: \"_bad\": not a container name (up to 64 letters,"
                        + " digits, '_', '.' and '-', starting with a letter or digit)");
        cases.forEach((args, message) -> {
            Result r = withState().run(args.toArray(String[]::new));
            assertEquals(125, r.exit(), args.toString());
            assertEquals(message + "\n", r.err(), args.toString());
        });
        String name = prefix + "busy";
        start(name, "sleep", "300");
        awaitRunning(name);
        Result stop = withState().run("stop", prefix + "nothing");
        assertEquals(List.of(1, "isolate: no container named \"" + prefix + "nothing\"\n"),
                List.of(stop.exit(), stop.err()), "a name not found is a name that failed, as with several");
        Result rm = withState().run("rm", name);
        assertEquals(1, rm.exit());
        assertEquals("isolate: " + name + ": running: stop it first, or use rm -f\n", rm.err());
        Result kill = withState().run("kill", name, "NOPE");
        assertEquals(125, kill.exit());
        assertTrue(kill.err().startsWith("isolate: signal \"NOPE\": use a number from 1 to 64"), kill.err());
        assertEquals(0, withState().run("rm", "-f", name).exit());
    }
}
