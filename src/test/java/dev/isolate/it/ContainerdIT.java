package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Engines.Containerd;
import dev.isolate.it.Isolate.Result;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * containerd 1.6 running containers through the OCI runtime under test (-Disolate.runtime):
 * the path of a Kubernetes node, where the kubelet asks containerd, containerd starts its
 * runc v2 shim, and the shim calls the runtime named by its BinaryName option. containerd
 * runs with a root, a state directory and sockets of the test's own, and nothing of it may
 * outlive the test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ContainerdIT {
    private static Containerd containerd;

    @BeforeAll
    static void startContainerd() throws Exception {
        Privileged.requireRoot();
        containerd = Containerd.start();
        containerd.importImage();
    }

    /** No shim outlives the tests' containers; stopping containerd leaves nothing behind. */
    @AfterAll
    static void stopContainerd() {
        if (containerd == null) {
            return;
        }
        Path dir = containerd.dir();
        try {
            assertEquals(List.of(), containerd.shims(), "shims left");
        } finally {
            containerd.close();
        }
        assertEquals(List.of(), Engines.mountsUnder(dir), "mounts left");
        assertEquals(List.of(), Engines.cgroupsNamed(containerd.cgroupParent()), "cgroups left");
        assertEquals(List.of(), containerd.traces(), "left outside its directory");
    }

    @Test
    void theImageIsImported() {
        String images = Engines.succeed(containerd.ctr("images", "list", "--quiet"));
        assertEquals(Engines.IMAGE + "\n", images);
    }

    @Test
    void runRemovesItsContainerAndReportsTheStatus() {
        String id = "hello";
        Result r = Engines.exec(containerd.run(id, List.of("--rm"), "/bin/sh", "-c",
                "echo hello; echo to-stderr >&2; cat /proc/self/cgroup | grep -c " + containerd.cgroupParent() + "/" + id
                        + "; exit 3"));
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue(r.out().startsWith("hello\n"), r.out());
        int hierarchies = Integer.parseInt(r.out().substring("hello\n".length()).strip());
        assertTrue(hierarchies > 0, "the container ran in its own cgroup: " + r.out());
        assertEquals("to-stderr\n", r.err());
        assertRemoved(id);
    }

    @Test
    void aDetachedTaskTakesExecAndKill() throws Exception {
        String id = "detached";
        assertEquals(0, Engines.exec(containerd.run(id, List.of("--detach"), "sleep", "1000")).exit());
        String tasks = Engines.succeed(containerd.ctr("tasks", "list"));
        assertTrue(tasks.lines().anyMatch(l -> l.startsWith(id) && l.endsWith("RUNNING")), tasks);

        Result exec = Engines.exec(containerd.taskExec(id, "probe", "sh", "-c", "cat /proc/1/cmdline | tr '\\0' ' '; exit 4"));
        assertEquals(new Result(4, "sleep 1000 ", ""), exec);

        assertEquals(0, Engines.exec(containerd.ctr("tasks", "kill", "--signal", "SIGKILL", id)).exit());
        String status = "";
        for (int i = 0; i < 200 && !status.endsWith("STOPPED"); i++) {
            status = Engines.succeed(containerd.ctr("tasks", "list")).lines().filter(l -> l.startsWith(id))
                    .findFirst().orElse("").strip();
            Thread.sleep(50);
        }
        assertTrue(status.endsWith("STOPPED"), status);
        assertEquals(0, Engines.exec(containerd.ctr("tasks", "delete", id)).exit());
        assertEquals(0, Engines.exec(containerd.ctr("containers", "delete", id)).exit());
        assertRemoved(id);
    }

    /** Nothing of container {@code id} is left: no task, no container, no mount, no shim, no cgroup. */
    private static void assertRemoved(String id) {
        assertEquals("", Engines.succeed(containerd.ctr("tasks", "list", "--quiet")));
        assertEquals("", Engines.succeed(containerd.ctr("containers", "list", "--quiet")));
        assertEquals(List.of(), Engines.mountsUnder(containerd.dir()), "the container's root is unmounted");
        List<ProcessHandle> shims = containerd.shims();
        for (int i = 0; i < 100 && !shims.isEmpty(); i++) { // the shim exits once containerd has told it to
            shims.get(0).onExit().completeOnTimeout(null, 50, TimeUnit.MILLISECONDS).join();
            shims = containerd.shims();
        }
        assertEquals(List.of(), shims, "its shim has exited");
        assertEquals(List.of(), Engines.cgroupsNamed(containerd.cgroupParent() + "/" + id), "its cgroup is removed");
    }
}
