package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --init (tini) on the real kernel, as root, in a PID namespace on the host's files (-p) and
 * in a busybox image (-R); {@link RootlessInitIT} runs it all again as nobody.
 */
class InitIT {
    private static final Map<Boolean, Path> IMAGES = new HashMap<>();
    /**
     * Leaves 50 orphans (each a sleep whose parent subshell exits at once), then becomes a
     * long sleep itself, which reaps nothing (the test kills it). A background subshell watches /proc with shell
     * builtins alone (a shell reaps whatever child ends, so the watcher is one whose children
     * they are not) until none of the orphans runs any more and the count of zombies among
     * them has held for 200 scans, and prints it. Where the command is PID 1 (the control,
     * without --init) the orphans are its children and stay zombies.
     */
    private static final String LEAVE_ORPHANS = "for i in $(seq 50); do (sleep 1 >/dev/null 2>&1 &); done;"
            + " (held=0; scans=0; last=-1;"
            + " while [ $held -lt 200 ] && [ $scans -lt 1000000 ]; do"
            + "   alive=0; zombies=0;"
            + "   for f in /proc/[0-9]*/stat; do"
            + "     read -r s 2>/dev/null < $f || continue;"
            + "     case \"$s\" in \"$$ \"*) ;; *'(sleep) Z '*) zombies=$((zombies+1));;"
            + "       *'(sleep) '*) alive=$((alive+1));; esac;"
            + "   done;"
            + "   if [ $alive -eq 0 ] && [ $zombies -eq $last ]; then held=$((held+1)); else held=0; fi;"
            + "   last=$zombies; scans=$((scans+1));"
            + " done;"
            + " echo zombies=$zombies) &"
            + " exec sleep 600";

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    /** Whether the image belongs to nobody, who runs isolate. */
    boolean rootless() {
        return false;
    }

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    /** The busybox image these tests share; none of them changes it. */
    Path image() {
        synchronized (IMAGES) {
            return IMAGES.computeIfAbsent(rootless(), TestImages::fresh);
        }
    }

    /** -R IMAGE or -p, then these arguments. */
    private String[] in(boolean rootfs, String... args) {
        List<String> all = new ArrayList<>(rootfs ? List.of("-R", image().toString()) : List.of("-p"));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }

    static Stream<Arguments> signals() {
        return Stream.of("INT", "TERM").flatMap(signal -> Stream.of(Arguments.of(signal, false),
                Arguments.of(signal, true)));
    }

    @ParameterizedTest(name = "SIG{0}, -R: {1}")
    @MethodSource("signals")
    void aSignalToIsolateEndsTheCommandThroughTheInit(String signal, boolean rootfs) throws Exception {
        Process isolate = isolate().start(in(rootfs, "--init", "sleep", "100"));
        try {
            // Once sleep runs, tini has blocked the signals it forwards (it does so before it forks).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Isolate.TIMEOUT_SECONDS);
            while (isolate.descendants().noneMatch(p -> comm(p.pid()).equals("sleep"))) {
                assertTrue(isolate.isAlive() && System.nanoTime() < deadline, "sleep never started");
                Thread.sleep(20);
            }
            Isolate.kill(isolate.pid(), signal);
            assertTrue(isolate.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS), "isolate outlived SIG" + signal);
            assertEquals(signal.equals("INT") ? 130 : 143, isolate.exitValue());
        } finally {
            isolate.descendants().forEach(ProcessHandle::destroyForcibly);
            isolate.destroyForcibly();
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).trim();
        } catch (IOException gone) {
            return "";
        }
    }

    @ParameterizedTest(name = "-R: {0}")
    @ValueSource(booleans = {false, true})
    void orphansAreReapedByTheInit(boolean rootfs) throws Exception {
        assertEquals("zombies=0", zombiesLeft(in(rootfs, "--init", "sh", "-c", LEAVE_ORPHANS)));
    }

    @ParameterizedTest(name = "-R: {0}")
    @ValueSource(booleans = {false, true})
    void withoutTheInitTheOrphansStayZombies(boolean rootfs) throws Exception {
        assertEquals("zombies=50", zombiesLeft(in(rootfs, "sh", "-c", LEAVE_ORPHANS)),
                "the probe sees what a command that is PID 1 leaves behind");
    }

    /**
     * What {@link #LEAVE_ORPHANS} prints; then the test kills the container's processes from
     * outside (SIGKILL reaches a PID 1 from an ancestor namespace), and isolate ends.
     */
    private String zombiesLeft(String... args) throws IOException, InterruptedException {
        Process isolate = isolate().start(args);
        try {
            return Isolate.readLine(new BufferedReader(new InputStreamReader(isolate.getInputStream())));
        } finally {
            isolate.descendants().forEach(ProcessHandle::destroyForcibly);
            assertTrue(isolate.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS), "isolate outlived its container");
        }
    }

    @ParameterizedTest(name = "-R: {0}")
    @ValueSource(booleans = {false, true})
    void theInitAndTheCommandDieWithIsolate(boolean rootfs) throws Exception {
        Process isolate = isolate().start(in(rootfs, "--init", "sleep", "600"));
        List<ProcessHandle> container = List.of();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Isolate.TIMEOUT_SECONDS);
            while (isolate.descendants().noneMatch(p -> comm(p.pid()).equals("sleep"))) {
                assertTrue(isolate.isAlive() && System.nanoTime() < deadline, "sleep never started");
                Thread.sleep(20);
            }
            container = isolate.descendants().toList();
            // the init is named after the file executed: /dev/init in a root filesystem
            assertEquals(List.of(rootfs ? "init" : "sleep", rootfs ? "sleep" : "tini-static"),
                    container.stream().map(p -> comm(p.pid())).sorted().toList());
            Isolate.kill(isolate.pid(), "KILL");
            assertTrue(isolate.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS));
            while (container.stream().anyMatch(p -> LauncherIT.alive(p.pid())) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(container.stream().noneMatch(p -> LauncherIT.alive(p.pid())), "the container outlived isolate");
            assertEquals(0, isolate().run("gc").exit(), "the killed isolate's cgroup is gc's to remove");
        } finally {
            container.forEach(ProcessHandle::destroyForcibly);
        }
    }

    @ParameterizedTest(name = "-R: {0}")
    @ValueSource(booleans = {false, true})
    void theStatusIsTheCommands(boolean rootfs) {
        Result exited = isolate().run(in(rootfs, "--init", "sh", "-c", "exit 3"));
        assertEquals(3, exited.exit(), exited.err());
        assertEquals("", exited.err());
        Result killed = isolate().run(in(rootfs, "--init", "sh", "-c", "kill -9 $$"));
        assertEquals(137, killed.exit(), killed.err());
    }

    @ParameterizedTest(name = "-R: {0}")
    @ValueSource(booleans = {false, true})
    void aMissingCommandIsIsolatesOwnError(boolean rootfs) {
        Result missing = isolate().run(in(rootfs, "--init", "isolate-no-such-command", "x"));
        assertEquals(127, missing.exit());
        assertEquals("isolate: exec \"isolate-no-such-command\": No such file or directory\n", missing.err());
        Result path = isolate().run(in(rootfs, "--init", "/isolate/no/such"));
        assertEquals(127, path.exit());
        assertEquals("isolate: exec \"/isolate/no/such\": No such file or directory\n", path.err());
        Result notExecutable = isolate().run(in(rootfs, "--init", "/etc/passwd"));
        assertEquals(126, notExecutable.exit());
        assertEquals("isolate: exec \"/etc/passwd\": Permission denied\n", notExecutable.err());
        Result noneOnPath = isolate().run(in(rootfs, "-e", "PATH=/etc", "--init", "passwd"));
        assertEquals(126, noneOnPath.exit(), "found on PATH but not executable");
        assertEquals("isolate: exec /etc/passwd: Permission denied\n", noneOnPath.err());
    }

    @Test
    void theInitIsBoundReadOnlyIntoAReadOnlyImage() throws IOException {
        Result r = isolate().run("-R", image().toString(), "--read-only", "--init", "sh", "-c",
                "tr '\\0' ' ' < /proc/1/cmdline; echo; grep -c ' /dev/init ' /proc/self/mountinfo;"
                        + " grep ' /dev/init ' /proc/self/mountinfo | grep -c ' ro,'; : > /dev/init");
        assertEquals(1, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertTrue(lines.get(0).startsWith("/dev/init -- sh -c tr "), "PID 1 is the init: " + lines.get(0));
        assertEquals(List.of("1", "1"), lines.subList(1, lines.size()), "bound once, read-only");
        assertTrue(r.err().contains("/dev/init"), "writing the init fails: " + r.err());
        try (Stream<Path> dev = Files.list(image().resolve("dev"))) {
            assertFalse(dev.anyMatch(p -> p.getFileName().toString().equals("init")), "the image is unchanged");
        }
    }

    @Test
    void withoutAPidNamespaceTheInitIsTheCommandsParentAndASubreaper() {
        Result r = isolate().run("--init", "sh", "-c", "cat /proc/$PPID/comm; tr '\\0' ' ' < /proc/$PPID/cmdline;"
                + " echo; exit 4");
        assertEquals(4, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("tini-static", lines.get(0));
        assertTrue(lines.get(1).matches("\\S*/tini-static -s -- sh -c .*"), lines.get(1));
    }

    @Test
    void verboseAndDryRunNameTheInit() {
        Result verbose = isolate().run("-v", "-R", image().toString(), "--init", "true");
        assertEquals(0, verbose.exit(), verbose.err());
        assertTrue(verbose.err().lines().anyMatch(l -> l.matches(".*--init: \\S*/tini-static, bound read-only"
                + " on /dev/init")), verbose.err());
        Result dryRun = isolate().run("--dry-run", "-R", image().toString(), "-e", "PATH=/bin", "--init", "true");
        assertEquals(0, dryRun.exit(), dryRun.err());
        assertTrue(dryRun.out().contains("faccessat2(AT_FDCWD, \"/bin/true\", X_OK, AT_EACCESS)  # exec /bin/true"),
                dryRun.out());
        assertTrue(dryRun.out().contains("execve(\"/dev/init\", [\"/dev/init\", \"--\", \"true\"], "), dryRun.out());
        assertTrue(dryRun.out().lines().anyMatch(l -> l.matches(".*open_tree\\(AT_FDCWD, \"\\S*/tini-static\".*")),
                dryRun.out());
    }
}
