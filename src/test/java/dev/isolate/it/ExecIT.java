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
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** isolate exec against util-linux nsenter, as root; {@link RootlessExecIT} as nobody. */
class ExecIT {
    private static final String VIEW = "for t in user mnt uts ipc pid net cgroup time; do readlink /proc/self/ns/$t;"
            + " done; hostname; for p in 1 2; do tr '\\0' ' ' < /proc/$p/cmdline; echo; done;"
            + " cut -d' ' -f5 /proc/self/mountinfo | sort; ls /; pwd";
    private final String name = "exec" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
    private Path runtime;
    private Process container;

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    boolean rootless() {
        return false;
    }

    private Isolate withState() {
        return isolate().withEnvironment("XDG_RUNTIME_DIR=" + runtime);
    }

    @BeforeEach
    void start() throws Exception {
        Privileged.requireRoot();
        runtime = Files.createTempDirectory(Path.of("/tmp"), "isolate-runtime");
        TestImages.run(List.of("chown", "65534:65534", runtime.toString()));
        Path image = TestImages.fresh(rootless());
        container = withState().start("run", "--name", name, "-R", image.toString(), "-nu", "box", "-w", "/tmp",
                "sh", "-c", "sleep 300 & wait");
        for (int i = 0; i < 400 && !withState().run("ps").out().contains(name); i++) {
            TimeUnit.MILLISECONDS.sleep(25);
        }
    }

    @AfterEach
    void stop() {
        withState().run("rm", "-f", name);
        if (container != null) {
            container.descendants().forEach(ProcessHandle::destroyForcibly);
            container.destroyForcibly();
        }
        TestImages.delete(runtime);
    }

    private String pid() {
        Result r = withState().run("ps", "--json");
        String after = r.out().substring(r.out().indexOf("\"name\": \"" + name + "\""));
        return after.replaceAll("(?s)^.*?\"pid\": (\\d+).*$", "$1");
    }

    @Test
    void execLandsWhereNsenterLands() {
        Result ours = withState().run("exec", name, "sh", "-c", VIEW);
        assertEquals(0, ours.exit(), ours.err());
        List<String> nsenter = new ArrayList<>(rootless() ? Isolate.AS_NOBODY : List.of());
        // nsenter -a also tries the namespaces that are the caller's own; without privilege it
        // may not, so name the ones the container has.
        nsenter.addAll(List.of("nsenter", "-t", pid(), "-m", "-u", "-i", "-n", "-p", "-C", "-w"));
        if (rootless()) {
            // nsenter's setgroups fails where setgroups is denied, as in -r's mapping
            nsenter.addAll(List.of("-U", "--preserve-credentials"));
        }
        nsenter.addAll(List.of("sh", "-c", VIEW));
        Result theirs = Isolate.exec(nsenter, null);
        assertEquals(0, theirs.exit(), theirs.err());
        assertEquals(theirs.out(), ours.out());
        assertTrue(ours.out().contains("\nbox\n"), ours.out());
        assertTrue(ours.out().endsWith("/tmp\n"), "the target's working directory: " + ours.out());
    }

    @Test
    void theCommandTakesOnTheContainersConfinement() {
        for (String target : List.of(name, pid())) {
            Result r = withState().run("exec", target, "grep", "-E", "^(CapEff|CapBnd|NoNewPrivs|Seccomp):",
                    "/proc/self/status");
            assertEquals(0, r.exit(), r.err());
            assertEquals("CapEff:\t00000000a00425fb\nCapBnd:\t00000000a00425fb\nNoNewPrivs:\t0\nSeccomp:\t2\n",
                    r.out(), "as the container's own command, by " + target);
        }
        Result escape = withState().run("exec", name, "unshare", "-U", "true");
        assertEquals(1, escape.exit(), "the container's filter holds for exec'd commands: " + escape.err());
        Result privileged = withState().run("exec", "--privileged", name, "grep", "-E", "^(CapEff|Seccomp):",
                "/proc/self/status");
        assertEquals(0, privileged.exit(), privileged.err());
        assertFalse(privileged.out().contains("a00425fb"), privileged.out());
        assertTrue(privileged.out().endsWith("Seccomp:\t0\n"), privileged.out());
    }

    @Test
    void statusSignalsWorkdirAndChosenTypes() throws IOException {
        assertEquals(7, withState().run("exec", name, "sh", "-c", "exit 7").exit());
        assertEquals(137, withState().run("exec", name, "sh", "-c", "kill -9 $$").exit());
        assertEquals("/etc\n", withState().run("exec", "-w", "/etc", name, "pwd").out());
        Result onlyUts = withState().run("exec", "-u", pid(), "sh", "-c", "hostname; readlink /proc/self/ns/net");
        assertEquals(0, onlyUts.exit(), onlyUts.err());
        String hostNet = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
        assertEquals("box\n" + hostNet + "\n", onlyUts.out(), "-u enters the UTS namespace only");
        Result missing = withState().run("exec", name, "no-such-command");
        assertEquals(127, missing.exit());
        assertEquals("isolate: exec \"no-such-command\": No such file or directory\n", missing.err());
    }

    @Test
    void theCommandIsInsideThePidNamespaceAndDiesWithIsolate() throws Exception {
        Result r = withState().run("exec", name, "sh", "-c", "echo $$; readlink /proc/self/ns/pid");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertNotEquals("1", lines.get(0));
        assertEquals(Files.readSymbolicLink(Path.of("/proc", pid(), "ns", "pid")).toString(), lines.get(1));
    }

    @Test
    void badTargetsAreOneLine() {
        Result unknown = withState().run("exec", name + "-none", "true");
        assertEquals(125, unknown.exit());
        assertEquals("isolate: no container named \"" + name + "-none\"\n", unknown.err());
        Result shared = withState().run("exec", "-T", name, "true");
        assertEquals(125, shared.exit());
        assertEquals("isolate: process " + pid() + ": has no time namespace of its own: it shares isolate's\n",
                shared.err());
        Result gone = withState().run("exec", "999999999", "true");
        assertEquals(125, gone.exit());
        assertEquals("isolate: process 999999999: no such process\n", gone.err());
    }
}
