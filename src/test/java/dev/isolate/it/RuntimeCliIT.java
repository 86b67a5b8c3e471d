package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * isolate-runtime driven as an engine drives it, through runc's command line, on bundles
 * made here: a busybox root and a config.json written by the test.
 */
class RuntimeCliIT {
    private static final Isolate RUNTIME = new Isolate(List.of(),
            Path.of("scripts/isolate-runtime").toAbsolutePath());
    private Path work;
    private Path root;
    private Path bundle;
    private Path image;
    private List<String> mountsBefore;

    @BeforeEach
    void setUp() throws IOException {
        Privileged.requireRoot();
        work = Files.createTempDirectory(Path.of("/tmp"), "isolate-runtime-it");
        root = work.resolve("state");
        bundle = Files.createDirectory(work.resolve("bundle"));
        image = TestImages.fresh(false);
        mountsBefore = mounts();
    }

    @AfterEach
    void tearDown() {
        if (root != null && Files.isDirectory(root)) {
            for (String id : ids()) {
                runtime("delete", "--force", id);
            }
        }
        if (work != null) {
            TestImages.delete(work);
        }
    }

    /**
     * Runs isolate-runtime with the test's state directory. Its stdout and stderr are files, as
     * an engine's are: a created container keeps them open (the command's stdio) until it ends,
     * so a pipe would reach its end only then.
     */
    private Result runtime(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "--default-signal", RUNTIME.script().toString(),
                "--root", root.toString()));
        command.addAll(List.of(args));
        try {
            Path out = Files.createTempFile(work, "out", "");
            Path err = Files.createTempFile(work, "err", "");
            Process process = new ProcessBuilder(command).directory(work.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.delete(out);
            Files.delete(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Result ok(String... args) {
        Result r = runtime(args);
        assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
        return r;
    }

    private Result failed(String... args) {
        Result r = runtime(args);
        assertEquals(1, r.exit(), String.join(" ", args) + " should have failed: " + r.out());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertTrue(r.err().startsWith("isolate-runtime: "), r.err());
        return r;
    }

    private List<String> ids() {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (var entries = Files.list(root)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A config.json as runc spec writes one, running {@code args}, with what {@code extra} puts over it. */
    private void config(List<String> args, Map<String, Object> extra) throws IOException {
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", false);
        process.put("user", Map.of("uid", 0, "gid", 0));
        process.put("args", args);
        process.put("env", List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"));
        process.put("cwd", "/");
        process.put("noNewPrivileges", true);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", "1.0.2");
        config.put("process", process);
        config.put("root", Map.of("path", image.toString(), "readonly", true));
        config.put("hostname", "runtime-it");
        config.put("mounts", List.of(
                Map.of("destination", "/proc", "type", "proc", "source", "proc"),
                Map.of("destination", "/dev", "type", "tmpfs", "source", "tmpfs",
                        "options", List.of("nosuid", "strictatime", "mode=755", "size=65536k"))));
        // A limit, so that the container has a cgroup whose removal the tests can check.
        config.put("linux", Map.of("namespaces", List.of(Map.of("type", "pid"), Map.of("type", "ipc"),
                Map.of("type", "uts"), Map.of("type", "mount"), Map.of("type", "network")),
                "resources", Map.of("pids", Map.of("limit", 100))));
        config.putAll(extra);
        Files.writeString(bundle.resolve("config.json"), JSON.std.asString(config));
    }

    private Map<String, Object> state(String id) throws IOException {
        return JSON.std.mapFrom(ok("state", id).out());
    }

    private static String cmdline(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ').trim();
    }

    private void awaitStatus(String id, String status) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (status.equals(state(id).get("status"))) {
                return;
            }
            Thread.sleep(10);
        }
        assertEquals(status, state(id).get("status"));
    }

    /** The cgroup directories the container's state names (runc's state does not show them: state.json does). */
    @SuppressWarnings("unchecked")
    private List<String> cgroups(String id) throws IOException {
        return (List<String>) JSON.std.mapFrom(Files.readString(root.resolve(id).resolve("state.json")))
                .get("cgroups");
    }

    private void assertNothingLeft(List<String> cgroups) {
        assertEquals(List.of(), ids(), "state directory");
        cgroups.forEach(dir -> assertFalse(Files.exists(Path.of(dir)), dir));
        // without a cgroupsPath a container's cgroup is named after its id, below each hierarchy's root
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            hierarchies.forEach(h -> assertFalse(Files.exists(h.resolve("c1")), h.resolve("c1").toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertEquals(mountsBefore, mounts(), "the host's mounts");
    }

    /** The host's mounts a leak of these containers would add to: on /proc, or of this test's bundle and image. */
    private List<String> mounts() {
        return HostMounts.snapshot().stream().filter(line -> !line.contains("/tmp/isolate-")
                || line.contains(work.toString()) || line.contains(image.toString())).toList();
    }

    @Test
    void createStateStartStateKillStateDelete() throws Exception {
        config(List.of("sleep", "100"), Map.of());
        Path pidFile = work.resolve("pid");
        ok("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString(), "c1");
        Map<String, Object> created = state("c1");
        assertEquals("created", created.get("status"));
        assertEquals("c1", created.get("id"));
        assertEquals(bundle.toString(), created.get("bundle"));
        long pid = ((Number) created.get("pid")).longValue();
        assertEquals(Long.toString(pid), Files.readString(pidFile));
        assertFalse(cmdline(pid).startsWith("sleep"), "waits before exec: " + cmdline(pid));
        List<String> cgroups = cgroups("c1");
        assertFalse(cgroups.isEmpty(), "a container with a limit has a cgroup");

        ok("start", "c1");
        assertEquals("running", state("c1").get("status"));
        assertEquals("sleep 100", cmdline(pid));
        failed("start", "c1");

        ok("kill", "c1", "KILL");
        awaitStatus("c1", "stopped");
        assertEquals(0, state("c1").get("pid"));
        failed("kill", "c1", "TERM");

        ok("delete", "c1");
        Result gone = failed("state", "c1");
        assertEquals("isolate-runtime: container does not exist: c1\n", gone.err());
        assertNothingLeft(cgroups);
    }

    @Test
    void deleteForceOfARunningContainer() throws Exception {
        config(List.of("sleep", "100"), Map.of());
        ok("create", "--bundle", bundle.toString(), "c1");
        long pid = ((Number) state("c1").get("pid")).longValue();
        List<String> cgroups = cgroups("c1");
        ok("start", "c1");
        Result refused = failed("delete", "c1");
        assertTrue(refused.err().contains("not stopped: running"), refused.err());
        assertEquals("running", state("c1").get("status"));
        ok("delete", "--force", "c1");
        assertFalse(Files.exists(Path.of("/proc/" + pid)) && !cmdline(pid).isEmpty(), "the container's process ended");
        assertNothingLeft(cgroups);
        // as runc's, a --force of a container that is not there succeeds: engines clean up with it
        ok("delete", "--force", "c1");
    }

    @Test
    void theSameIdTwiceIsRefused() throws Exception {
        config(List.of("sleep", "100"), Map.of());
        ok("create", "--bundle", bundle.toString(), "c1");
        Result twice = failed("create", "--bundle", bundle.toString(), "c1");
        assertEquals("isolate-runtime: container with id exists: c1\n", twice.err());
        assertEquals("created", state("c1").get("status"));
        assertEquals(List.of("c1"), ids());
    }

    @Test
    void anUnsupportedFieldIsRefusedNamingItWithNothingMade() throws Exception {
        config(List.of("true"), Map.of("linux", Map.of("namespaces", List.of(Map.of("type", "mount")),
                "intelRdt", Map.of("closID", "x"))));
        Path log = work.resolve("log.json");
        Result r = runtime("--log", log.toString(), "--log-format", "json", "create", "--bundle",
                bundle.toString(), "c1");
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("linux.intelRdt"), r.err());
        assertEquals(List.of(), ids());
        Map<String, Object> line = JSON.std.mapFrom(Files.readString(log).strip());
        assertEquals("error", line.get("level"));
        assertEquals(r.err().strip(), "isolate-runtime: " + line.get("msg"));
        assertTrue(((String) line.get("time")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), line.toString());
        assertNothingLeft(List.of());
    }

    @Test
    void hooksRunInOrderWithTheStateOnStdin() throws Exception {
        Path out = Files.createDirectory(work.resolve("hooks"));
        Map<String, Object> hooks = new LinkedHashMap<>();
        for (String point : List.of("prestart", "createRuntime", "poststart", "poststop")) {
            hooks.put(point, List.of(Map.of("path", "/bin/sh", "args", List.of("/bin/sh", "-c",
                    "cat > " + out + "/" + point + ".json; echo " + point + " >> " + out + "/order"))));
        }
        config(List.of("sleep", "100"), Map.of("hooks", hooks));
        ok("create", "--bundle", bundle.toString(), "c1");
        assertEquals("prestart\ncreateRuntime\n", Files.readString(out.resolve("order")));
        long pid = ((Number) state("c1").get("pid")).longValue();
        for (String point : List.of("prestart", "createRuntime")) {
            Map<String, Object> seen = JSON.std.mapFrom(Files.readString(out.resolve(point + ".json")));
            assertEquals("c1", seen.get("id"));
            assertEquals("creating", seen.get("status"));
            assertEquals(pid, ((Number) seen.get("pid")).longValue());
            assertEquals(bundle.toString(), seen.get("bundle"));
        }
        ok("start", "c1");
        assertEquals("running", JSON.std.mapFrom(Files.readString(out.resolve("poststart.json"))).get("status"));
        ok("delete", "--force", "c1");
        assertEquals("prestart\ncreateRuntime\npoststart\npoststop\n", Files.readString(out.resolve("order")));
        assertEquals("stopped", JSON.std.mapFrom(Files.readString(out.resolve("poststop.json"))).get("status"));
    }

    @Test
    void aChangeWaitsForTheContainersLock() throws Exception {
        config(List.of("sleep", "100"), Map.of("hooks", Map.of("createRuntime", List.of(Map.of("path", "/bin/sh",
                "args", List.of("/bin/sh", "-c", "sleep 2"))))));
        CompletableFuture<Result> create = CompletableFuture.supplyAsync(() ->
                runtime("create", "--bundle", bundle.toString(), "c1"));
        for (int i = 0; i < 500 && !ids().contains("c1"); i++) {
            Thread.sleep(10);
        }
        long started = System.nanoTime();
        // create holds the lock while its hooks run: kill waits for it, then finds the container created
        ok("kill", "c1", "KILL");
        assertTrue(System.nanoTime() - started > 500_000_000L, "kill waited for create");
        assertEquals(0, create.get().exit(), create.get().err());
        awaitStatus("c1", "stopped");
    }

    @Test
    void aFailingHookAbortsTheCreateLeavingNothing() throws Exception {
        config(List.of("sleep", "100"), Map.of("hooks", Map.of("createRuntime", List.of(Map.of("path", "/bin/sh",
                "args", List.of("/bin/sh", "-c", "echo no network for you >&2; exit 7"))))));
        Result r = failed("create", "--bundle", bundle.toString(), "c1");
        assertEquals("isolate-runtime: hooks.createRuntime /bin/sh: exit status 7: no network for you\n", r.err());
        assertNothingLeft(List.of());
    }

    @Test
    void aHundredCreateDeleteCyclesLeaveNothing() throws Exception {
        config(List.of("sleep", "100"), Map.of());
        List<String> cgroups = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ok("create", "--bundle", bundle.toString(), "cycle" + i);
            cgroups.addAll(cgroups("cycle" + i));
            ok("delete", "cycle" + i);
        }
        assertNothingLeft(cgroups);
    }

    @Test
    void killOfTheWaitingInitLeavesNothingAfterDelete() throws Exception {
        config(List.of("sleep", "100"), Map.of());
        ok("create", "--bundle", bundle.toString(), "c1");
        long pid = ((Number) state("c1").get("pid")).longValue();
        List<String> cgroups = cgroups("c1");
        Isolate.kill(pid, "KILL");
        awaitStatus("c1", "stopped");
        failed("start", "c1");
        ok("delete", "c1");
        assertNothingLeft(cgroups);
    }

    @Test
    void runInTheForegroundEndsWithTheCommandsStatus() throws Exception {
        config(List.of("sh", "-c", "exit 3"), Map.of());
        Result r = runtime("run", "--bundle", bundle.toString(), "c1");
        assertEquals(3, r.exit(), r.err());
        assertNothingLeft(List.of());
    }

    @Test
    void execRunsInsideWithTheContainersEnvironment() throws Exception {
        config(List.of("sleep", "100"), Map.of());
        ok("create", "--bundle", bundle.toString(), "c1");
        ok("start", "c1");
        Result r = ok("exec", "--env", "X=1", "c1", "sh", "-c", "echo $X $TERM $(hostname)");
        assertEquals("1 xterm runtime-it\n", r.out());
        assertEquals(5, runtime("exec", "c1", "sh", "-c", "exit 5").exit());
    }

    @Test
    void listAndPsShowTheContainer() throws Exception {
        config(List.of("sleep", "100"), Map.of());
        ok("create", "--bundle", bundle.toString(), "c1");
        long pid = ((Number) state("c1").get("pid")).longValue();
        assertEquals("c1\n", ok("list", "-q").out());
        assertTrue(ok("list").out().lines().skip(1).findFirst().orElseThrow().matches("c1\\s+" + pid
                + "\\s+created\\s+" + bundle + "\\s+.*"), ok("list").out());
        assertEquals("[" + pid + "]\n", ok("ps", "--format", "json", "c1").out());
    }

    @Test
    void errorsAreOneLineAndStatusOne() throws Exception {
        assertEquals("isolate-runtime: container does not exist: nosuch\n", failed("state", "nosuch").err());
        assertTrue(failed("--systemd-cgroup", "list").err().contains("systemd cgroup driver is not supported"));
        assertTrue(failed("kill", "nosuch", "FOO").err().contains("signal \"FOO\": not a signal"));
        assertTrue(failed("create", "--no-such-option", "c1").err().contains("--no-such-option"));
        assertTrue(failed("state", "../escape").err().contains("container id \"../escape\": invalid"));
        config(List.of("true"), Map.of());
        assertTrue(failed("create", "--bundle", bundle.toString(), "--console-socket", work.resolve("s").toString(),
                "c1").err().contains("process.terminal is false"));
        assertEquals(List.of(), ids());
    }
}
