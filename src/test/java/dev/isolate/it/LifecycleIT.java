package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
            + " \"exitCode\": (\\d+|null)}");
    private final List<Process> started = new ArrayList<>();
    private final String prefix = "it" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000 + "-";
    private Path runtime;

    Isolate isolate() {
        return Isolate.AS_ROOT;
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

        Result stop = withState().run("stop", name);
        assertEquals(0, stop.exit(), stop.err());
        assertEquals(name + "\n", stop.out());
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
        Process container = start(name, "sh", "-c", "trap 'exit 7' USR1; sleep 300 & wait");
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
    }

    @Test
    void twentyContainersStartedInParallelAreAllListed() throws Exception {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            names.add(prefix + "p" + i);
            start(names.get(i), "-p", "sleep", "300");
        }
        List<String> pids = new ArrayList<>();
        for (String name : names) {
            pids.add(awaitRunning(name)[0]);
        }
        Map<String, String[]> listed = ps(false);
        assertEquals(names.stream().sorted().toList(), List.copyOf(listed.keySet()));
        assertEquals(20, pids.stream().distinct().count());
        List<String> stop = new ArrayList<>(List.of("stop", "-t", "0"));
        stop.addAll(names);
        assertEquals(0, withState().run(stop.toArray(String[]::new)).exit());
        assertEquals(Map.of(), ps(false));
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
            for (int wait = 0; wait < 200 && (entry == null || !entry[1].equals("exited")); wait++) {
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
                List.of("stop", prefix + "nothing"), "isolate: no container named \"" + prefix + "nothing\"",
                List.of("ns", prefix + "nothing"), "isolate: no container named \"" + prefix + "nothing\"",
                List.of("run", "--name", "_bad", "true"), "isolate: name \"_bad\": use up to 64 letters, digits,"
                        + " '_', '.' and '-', starting with a letter or digit");
        cases.forEach((args, message) -> {
            Result r = withState().run(args.toArray(String[]::new));
            assertEquals(125, r.exit(), args.toString());
            assertEquals(message + "\n", r.err(), args.toString());
        });
        String name = prefix + "busy";
        start(name, "sleep", "300");
        awaitRunning(name);
        Result rm = withState().run("rm", name);
        assertEquals(125, rm.exit());
        assertEquals("isolate: " + name + ": running: stop it first, or use rm -f\n", rm.err());
        Result kill = withState().run("kill", name, "NOPE");
        assertEquals(125, kill.exit());
        assertTrue(kill.err().startsWith("isolate: signal \"NOPE\": use a number from 1 to 64"), kill.err());
        assertEquals(0, withState().run("rm", "-f", name).exit());
    }
}
