package dev.isolate.it;

import static dev.isolate.it.DryRunIT.assertContains;
import static dev.isolate.it.DryRunIT.assertRefused;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.isolate.it.DryRunIT.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * isolate --dry-run as nobody: the user namespace isolate adds, id maps, a rootless overlay,
 * slirp and exec, with nobody's runtime and data directories (the test's own) watched with
 * the rest by {@link DryRunIT#untouched}.
 */
class RootlessDryRunIT {
    private Path runtime;
    private Path data;
    private TestNetworks networks;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void directories() throws IOException {
        Privileged.requireRoot();
        runtime = Files.createTempDirectory(Path.of("/tmp"), "isolate-dry-runtime");
        data = Files.createTempDirectory(Path.of("/tmp"), "isolate-dry-data");
        TestImages.run(List.of("chown", "65534:65534", runtime.toString(), data.toString()));
        networks = new TestNetworks();
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        networks.close();
        TestImages.delete(runtime);
        TestImages.delete(data);
    }

    private List<String> asNobody(String... args) {
        List<String> command = new ArrayList<>(Isolate.AS_NOBODY);
        command.addAll(List.of("env", "XDG_RUNTIME_DIR=" + runtime, "XDG_DATA_HOME=" + data,
                RootlessCopy.script().toString()));
        command.addAll(List.of(args));
        return command;
    }

    private Outcome dryRun(Optional<String> netns, String... args) {
        Outcome outcome = DryRunIT.untouched(netns, List.of(runtime, data), asNobody(args));
        assertEquals("", outcome.err(), String.join(" ", args));
        assertEquals(0, outcome.exit(), String.join(" ", args));
        return outcome;
    }

    @Test
    void theUserNamespaceIsolateAddsAndItsMaps() {
        Outcome r = dryRun(Optional.empty(), "--dry-run", "-npu", "h", "true");
        assertContains(r.out(), "|CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNET|SIGCHLD)\n",
                "\"/proc/CHILD/setgroups\", O_WRONLY|O_CLOEXEC), write(<that fd>, \"deny\", 4)",
                "\"/proc/CHILD/uid_map\", O_WRONLY|O_CLOEXEC), write(<that fd>, \"0 65534 1\\n\", 10)",
                "\"/proc/CHILD/gid_map\", O_WRONLY|O_CLOEXEC), write(<that fd>, \"0 65534 1\\n\", 10)",
                " sethostname(\"h\", 1)");
        Outcome mapped = dryRun(Optional.empty(), "--dry-run", "--map-user", "4242", "--map-group", "4242", "true");
        assertContains(mapped.out(), "write(<that fd>, \"4242 65534 1\\n\", 13)");
        assertRefused(DryRunIT.untouched(Optional.empty(), List.of(runtime, data), asNobody("--dry-run",
                "--map-users", "0:5000:10", "true")),
                "uid range 0:5000:10: outside ids 5000-5009 are not nobody's own nor in its /etc/subuid ranges");
    }

    @Test
    void aRootlessOverlay() {
        Path image = TestImages.fresh(true);
        Outcome r = DryRunIT.untouched(Optional.empty(), List.of(runtime, data, image), asNobody("--dry-run",
                "-R", image.toString(), "--overlay", "--dns", "10.0.0.53", "true"));
        assertEquals(0, r.exit(), r.err());
        assertContains(r.out(), "    mkdir -m 700 " + runtime + "/isolate/overlay/",
                "FSCONFIG_SET_FLAG, \"userxattr\", NULL, 0)", "write --dns's resolv.conf",
                "    " + runtime + "/isolate/resolv/", " open_tree(AT_FDCWD, \"" + runtime + "/isolate/resolv/");
        assertFalse(Files.exists(runtime.resolve("isolate")), "nobody's runtime directory was made");
    }

    @Test
    void slirp() {
        String host = networks.add("h");
        Outcome r = dryRun(Optional.of(host), "--dry-run", "--network", "slirp", "-P", "8080:80", "true");
        assertContains(r.out(), "host, while the child waits:\n  start slirp4netns in the child's namespaces\n",
                "slirp4netns --configure --disable-host-loopback --mtu=65520 --ready-fd=1 --exit-fd=0 --api-socket="
                        + runtime + "/isolate/slirp/", " CHILD tap0 2>" + runtime + "/isolate/slirp/",
                "\"execute\": \"add_hostfwd\"", "\"host_port\": 8080, \"guest_port\": 80");
    }

    @Test
    void exec() throws IOException {
        List<String> sleeper = new ArrayList<>(Isolate.AS_NOBODY);
        sleeper.addAll(List.of("unshare", "-U", "-r", "--uts", "sleep", "60"));
        Process target = new ProcessBuilder(sleeper).start();
        started.add(target);
        long pid = target.descendants().findFirst().map(ProcessHandle::pid).orElse(target.pid());
        DryRunIT.waitForOwnNamespace(pid, "uts");
        Outcome r = dryRun(Optional.empty(), "exec", "--dry-run", Long.toString(pid), "true");
        assertContains(r.out(), ": /proc/" + pid + "/ns/user\n", ", 0)  # enter the user namespace\n",
                ", 0)  # enter the uts namespace\n", " setgroups(0, NULL)", " setresgid(0, 0, 0)",
                " setresuid(0, 0, 0)", "execve(");
    }
}
