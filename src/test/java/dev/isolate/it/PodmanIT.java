package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Engines.NetworkNamespace;
import dev.isolate.it.Engines.Podman;
import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * podman 4.3 running its containers through the OCI runtime under test (-Disolate.runtime),
 * as root, and once as nobody: podman calls the runtime's create, start, exec, kill and
 * delete, and conmon (podman's monitor) waits for the container and reports its status.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PodmanIT {
    /** CAP_NET_ADMIN's bit in /proc/PID/status's capability masks. */
    private static final long NET_ADMIN = 1L << 12;
    private static Podman podman;

    @BeforeAll
    static void importImage() {
        Privileged.requireRoot();
        podman = Podman.asRoot();
        podman.importImage();
    }

    /**
     * The tests' containers are gone with nothing of theirs left (no conmon, no mount, no
     * container cgroup: conmon's own cgroup is podman's, which podman never removes); then
     * podman's directory and cgroup parent go too.
     */
    @AfterAll
    static void nothingIsLeft() {
        if (podman == null) {
            return;
        }
        try {
            assertEquals("", Engines.succeed(podman.command("ps", "--all", "--quiet")), "containers left");
            assertEquals(List.of(), Engines.processesMentioning(podman.dir().toString()), "processes left");
            assertEquals(List.of(), Engines.mountsUnder(podman.dir()), "mounts left");
            podman.cgroupParent().ifPresent(parent -> {
                for (Path cgroup : Engines.cgroupsNamed(parent)) {
                    List<String> containers = subdirectories(cgroup).stream().filter(d -> !d.equals("conmon")).toList();
                    assertEquals(List.of(), containers, "containers' cgroups left in " + cgroup);
                }
            });
        } finally {
            podman.close();
        }
        assertEquals(List.of(), Engines.mountsUnder(podman.dir()), "mounts left after removing podman's directory");
        podman.cgroupParent().ifPresent(parent -> assertEquals(List.of(), Engines.cgroupsNamed(parent), "cgroups left"));
    }

    private static List<String> subdirectories(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void trueExitsZero() {
        assertEquals(new Result(0, "", ""), Engines.exec(podman.run("none", "--rm", Engines.IMAGE, "/bin/true")));
    }

    @Test
    void theCommandsExitStatusIsPodmans() {
        Result r = Engines.exec(podman.run("none", "--rm", Engines.IMAGE, "sh", "-c", "echo out; echo err >&2; exit 3"));
        assertEquals(new Result(3, "out\n", "err\n"), r);
    }

    @Test
    void aDetachedContainerLogsStopsAndIsRemoved() {
        String name = "detached";
        Result started = Engines.exec(podman.run("none", "-d", "--name", name, Engines.IMAGE, "sh", "-c",
                "echo started; trap 'echo stopping; exit 7' TERM; while :; do sleep 0.1; done"));
        assertEquals(0, started.exit(), started.err());
        String id = started.out().strip();
        assertTrue(id.matches("[0-9a-f]{64}"), started.out());
        awaitLog(name, "started\n");
        assertEquals("running", Engines.succeed(podman.command("inspect", "--format", "{{.State.Status}}", name)).strip());

        assertEquals(new Result(0, name + "\n", ""), Engines.exec(podman.command("stop", "--time", "10", name)));
        assertEquals("started\nstopping\n", Engines.succeed(podman.command("logs", name)));
        assertEquals("exited 7", Engines.succeed(podman.command("inspect", "--format",
                "{{.State.Status}} {{.State.ExitCode}}", name)).strip());

        assertEquals(new Result(0, name + "\n", ""), Engines.exec(podman.command("rm", name)));
        Result gone = Engines.exec(podman.command("inspect", name));
        assertEquals(125, gone.exit(), gone.out());
        assertTrue(gone.err().contains("no such object"), gone.err());
        String list = Engines.succeed(List.of(podman.runtimeBinary().toString(), "list", "--format", "json"));
        assertFalse(list.contains(id), "the runtime's list still names " + id);
        podman.cgroupParent().ifPresent(parent ->
                assertEquals(List.of(), Engines.cgroupsNamed(parent + "/libpod-" + id), "the container's cgroup is removed"));
    }

    @Test
    void execRunsInTheRunningContainer() {
        String name = "exec-target";
        assertEquals(0, Engines.exec(podman.run("none", "-d", "--name", name, Engines.IMAGE, "sh", "-c",
                "echo $$ > /tmp/init; echo ready; exec sleep 1000")).exit());
        awaitLog(name, "ready\n");
        Result r = Engines.exec(podman.command("exec", name, "sh", "-c",
                "echo in $(hostname) beside $(cat /tmp/init); cat /proc/1/cmdline | tr '\\0' ' '; echo; exit 4"));
        String hostname = Engines.succeed(podman.command("inspect", "--format", "{{.Config.Hostname}}", name)).strip();
        assertEquals(new Result(4, "in " + hostname + " beside 1\nsleep 1000 \n", ""), r);
        assertEquals(0, Engines.exec(podman.command("rm", "--force", "--time", "0", name)).exit());
    }

    @Test
    void dashItGivesTheContainerATerminal() {
        List<String> run = podman.run("none", "--rm", "-it", Engines.IMAGE, "sh", "-c", "tty; stty size; exit 5");
        assertEquals(new Result(5, "/dev/pts/0\r\n24 80\r\n", ""), Engines.onTerminal(run));
    }

    @Test
    void aMemoryLimitEndsAHogWith137() {
        // the shell holds 100 MiB, more than memory and swap together (podman allows twice --memory)
        Result r = Engines.exec(podman.run("none", "--rm", "--memory", "32m", Engines.IMAGE,
                "sh", "-c", "x=$(head -c 100m /dev/zero | tr '\\0' a); echo survived"));
        assertEquals(137, r.exit(), r.out() + r.err());
        assertEquals("", r.out());
    }

    @Test
    void capabilitiesAreTheOnesAskedFor() {
        assertEquals(0, capEff("--cap-drop", "ALL"));
        assertEquals(NET_ADMIN, capEff("--cap-drop", "ALL", "--cap-add", "NET_ADMIN"));
        long defaults = capEff();
        assertEquals(0, defaults & NET_ADMIN, "podman's defaults leave NET_ADMIN out");
        assertEquals(defaults | NET_ADMIN, capEff("--cap-add", "NET_ADMIN"));
    }

    @Test
    void readOnlyRootRefusesWrites() {
        Result r = Engines.exec(podman.run("none", "--rm", "--read-only", Engines.IMAGE, "sh", "-c",
                "touch /file || echo refused; touch /tmp/file && echo tmp-writable"));
        assertEquals(new Result(0, "refused\ntmp-writable\n", "touch: /file: Read-only file system\n"), r);
    }

    @Test
    void aPublishedPortReachesTheContainer() throws Exception {
        try (NetworkNamespace ns = NetworkNamespace.create()) {
            String name = "web";
            List<String> run = podman.run("bridge", "-d", "--init", "--name", name, "-p", "127.0.0.1:18080:8080",
                    Engines.IMAGE, "sh", "-c", "mkdir /www && echo served by $(hostname) > /www/index.html"
                            + " && exec httpd -f -p 8080 -h /www");
            try {
                servesThroughThePublishedPort(ns, name, run);
            } finally {
                Engines.exec(ns.inside(podman.command("rm", "--force", "--time", "0", name)));
            }
        }
    }

    /** Runs the web server, fetches its page through the published port, stops and removes it. */
    private static void servesThroughThePublishedPort(NetworkNamespace ns, String name, List<String> run)
            throws InterruptedException {
        Result started = Engines.exec(ns.inside(run));
        assertEquals(0, started.exit(), started.err());
        String hostname = Engines.succeed(ns.inside(podman.command("inspect", "--format", "{{.Config.Hostname}}", name)))
                .strip();
        Result fetched = null;
        for (int i = 0; i < 100; i++) { // httpd listens a moment after podman returns
            fetched = Engines.exec(ns.inside(List.of("busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:18080/")));
            if (fetched.exit() == 0) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals(new Result(0, "served by " + hostname + "\n", ""), fetched);
        assertEquals(new Result(0, name + "\n", ""), Engines.exec(ns.inside(podman.command("stop", "--time", "10", name))));
        assertEquals(0, Engines.exec(ns.inside(podman.command("rm", name))).exit());
    }

    @Test
    void rootlessPodmanAsNobody() {
        try (Podman rootless = Podman.asNobody()) {
            rootless.importImage();
            // root in the container is nobody outside: the one id podman may map without /etc/subuid
            Result ids = Engines.exec(rootless.run("none", "--rm", Engines.IMAGE, "sh", "-c",
                    "echo $(id -u) $(id -g); cat /proc/self/uid_map"));
            assertEquals(0, ids.exit(), ids.err());
            assertEquals(List.of("0 0", "0 65534 1"), ids.out().lines().map(l -> l.strip().replaceAll("\\s+", " ")).toList());
            Result r = Engines.exec(rootless.run("none", "--rm", Engines.IMAGE, "sh", "-c", "echo out; exit 3"));
            assertEquals(3, r.exit(), r.err());
            assertEquals("out\n", r.out());
        }
    }

    /** Waits (within the test's timeout) for the container's log to be {@code text}. */
    private static void awaitLog(String name, String text) {
        String log = "";
        for (int i = 0; i < 200 && !log.equals(text); i++) {
            log = Engines.succeed(podman.command("logs", name));
            if (!log.equals(text)) {
                sleep();
            }
        }
        assertEquals(text, log);
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The effective capabilities of a container's first process run with these options. */
    private static long capEff(String... options) {
        List<String> args = new ArrayList<>(List.of("--rm"));
        args.addAll(List.of(options));
        args.addAll(List.of(Engines.IMAGE, "grep", "CapEff", "/proc/self/status"));
        String line = Engines.succeed(podman.run("none", args.toArray(String[]::new)));
        assertTrue(line.matches("CapEff:\t[0-9a-f]{16}\n"), line);
        return Long.parseLong(line.strip().split("\t")[1], 16);
    }
}
