package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * --network slirp as nobody, inside a "host" namespace the test made (root makes it, nobody
 * runs isolate in it), linked to an "upstream" namespace that serves the outbound test.
 */
class RootlessNetworkIT {
    /** The PATH nobody runs isolate with. */
    private static final String PATH = Isolate.AS_NOBODY.stream().filter(a -> a.startsWith("PATH="))
            .map(a -> a.substring("PATH=".length())).findFirst().orElseThrow();
    /**
     * An isolate killed with SIGKILL leaves its --dns resolv.conf, slirp4netns's log and its
     * overlay's scratch directory.
     */
    private static final List<String> LEAVES_FILES = List.of("--overlay", "--dns", "10.0.0.53", "--network", "slirp");
    private static final List<String> SUBDIRECTORIES = List.of("overlay", "resolv", "slirp");

    private TestNetworks networks;
    private String host;
    private String upstream;
    /** nobody's runtime directory is this test's, so that what isolate leaves there can be seen. */
    private Path runtime;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void namespaces() throws IOException {
        Privileged.requireRoot();
        requireTunForEveryone();
        runtime = Files.createTempDirectory(Path.of("/tmp"), "isolate-runtime");
        TestImages.run(List.of("chown", "65534:65534", runtime.toString()));
        networks = new TestNetworks();
        host = networks.add("h");
        upstream = networks.add("u");
        networks.link(host, "192.168.202.1/24", upstream, "192.168.202.2/24");
        networks.in(host, "ip", "route", "add", "default", "via", "192.168.202.2");
    }

    /** slirp4netns opens /dev/net/tun as the user: udev makes it 0666, some machines do not. */
    private static void requireTunForEveryone() {
        try {
            if (Files.getPosixFilePermissions(Path.of("/dev/net/tun")).contains(
                    java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                return;
            }
        } catch (IOException e) {
            // reported below
        }
        String reason = "/dev/net/tun is not usable by every user (chmod 0666 /dev/net/tun, as udev sets it)";
        if ("true".equals(System.getenv("CI"))) {
            fail(reason + "; under CI=true a skipped test is a failure");
        }
        Assumptions.abort(reason);
    }

    @AfterEach
    void cleanUp() {
        started.forEach(Process::destroyForcibly);
        if (networks != null) { // null when the test was skipped before making them
            networks.close();
        }
        if (runtime != null) {
            TestImages.delete(runtime);
        }
    }

    private List<String> asNobody(String... args) {
        return asNobodyWithPath(PATH, args);
    }

    /** isolate as nobody in the host namespace, with this PATH and the test's runtime directory. */
    private List<String> asNobodyWithPath(String path, String... args) {
        List<String> command = new ArrayList<>(Isolate.AS_NOBODY);
        command.addAll(List.of("env", "PATH=" + path, "XDG_RUNTIME_DIR=" + runtime));
        command.add(RootlessCopy.script().toString());
        command.addAll(List.of(args));
        return TestNetworks.command(host, command.toArray(String[]::new));
    }

    /** What isolate keeps for slirp4netns in nobody's runtime directory. */
    private List<Path> slirpFiles() throws IOException {
        return entries("slirp");
    }

    /** The entries of a subdirectory of nobody's runtime directory. */
    private List<Path> entries(String subdirectory) throws IOException {
        Path dir = runtime.resolve("isolate").resolve(subdirectory);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    private Process start(List<String> command) throws IOException {
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        started.add(process);
        return process;
    }

    private static int slirpProcesses() {
        return (int) ProcessHandle.allProcesses().filter(p -> p.info().command().orElse("").endsWith("/slirp4netns"))
                .filter(p -> p.info().user().orElse("").equals("nobody")).count();
    }

    private static void awaitNoSlirp() throws InterruptedException {
        for (int i = 0; i < 100 && slirpProcesses() > 0; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertEquals(0, slirpProcesses(), "slirp4netns outlived its container");
    }

    @Test
    void slirpReachesOutAndPublishesWithoutPrivilege() throws Exception {
        start(TestNetworks.command(upstream, "sh", "-c", "echo from-upstream | busybox nc -l -p 7003"));
        Process container = start(asNobody("--network", "slirp", "-P", "8085:80", "-p", "sh", "-c",
                "id -u; ip -o -4 addr show tap0 | cut -d' ' -f2,7; " + String.format(NetworkIT.RETRY,
                        "192.168.202.2", 7003) + " && echo pong | busybox nc -l -p 80"));
        assertEquals("pong\n", networks.in(host, "sh", "-c", String.format(NetworkIT.RETRY, "127.0.0.1", 8085)));
        assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        assertEquals("0\ntap0 10.0.2.100/24\nfrom-upstream\n", new String(container.getInputStream().readAllBytes()));
        assertEquals(0, container.exitValue());
        awaitNoSlirp();
        assertEquals(List.of(), slirpFiles());
    }

    @Test
    void slirpEndsWithAKilledIsolate() throws Exception {
        Process container = start(asNobody("--network", "slirp", "-p", "sleep", "300"));
        for (int i = 0; i < 200 && slirpProcesses() == 0; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertEquals(1, slirpProcesses());
        ProcessHandle jvm = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().orElse("").endsWith("/slirp4netns"))
                .filter(p -> p.info().user().orElse("").equals("nobody")).findFirst().orElseThrow().parent()
                .orElseThrow(); // isolate started it
        Isolate.kill(jvm.pid(), "KILL");
        assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        awaitNoSlirp();
    }

    @Test
    void aSlirp4netnsThatNeverGetsReadyIsKilledAndTheLaunchFails() throws Exception {
        Path fake = runtime.resolve("fake");
        Files.createDirectory(fake);
        Path program = Files.writeString(fake.resolve("slirp4netns"), "#!/bin/sh\n"
                + "echo $$ > " + fake.resolve("pid") + "\n"
                + "trap '' TERM\n" // only SIGKILL ends it: it ignores its exit pipe, and sleep inherits this
                + "exec sleep 600\n");
        Files.setPosixFilePermissions(program, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        TestImages.run(List.of("chown", "-R", "65534:65534", fake.toString()));
        long start = System.nanoTime();
        Result r = Isolate.exec(asNobodyWithPath(fake + ":" + PATH, "--network", "slirp", "-p", "sleep", "300"), null);
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        assertEquals(125, r.exit(), r.err());
        assertEquals("isolate: --network slirp: " + program + ": not ready within 5 s (killed it)\n", r.err());
        assertTrue(seconds < 30, seconds + " s");
        long pid = Long.parseLong(Files.readString(fake.resolve("pid")).strip());
        for (int i = 0; i < 100 && ProcessHandle.of(pid).isPresent(); i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertTrue(ProcessHandle.of(pid).isEmpty(), "the fake slirp4netns was left running");
        assertEquals(List.of(), slirpFiles());
        String copy = RootlessCopy.script().getParent().getParent().toString();
        assertEquals(List.of(), ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("")
                .contains(copy)).map(p -> p.pid() + " " + p.info().commandLine().orElse("")).toList(),
                "isolate or its child was left");
    }

    @Test
    void gcRemovesWhatAKilledIsolateLeft() throws Exception {
        Path image = TestImages.fresh(true);
        try {
            List<Path> left = killedWhileRunning(image);
            assertEquals(3, left.size(), left.toString());
            Result gc = Isolate.exec(asNobody("gc"), null);
            assertEquals(0, gc.exit(), gc.err());
            assertEquals(left.stream().map(path -> "removed " + path).sorted().toList(),
                    gc.out().lines().sorted().toList());
            assertNothingLeftIn(SUBDIRECTORIES);
        } finally {
            TestImages.delete(image);
        }
    }

    @Test
    void theNextLaunchRemovesWhatAKilledIsolateLeft() throws Exception {
        Path image = TestImages.fresh(true);
        try {
            List<Path> left = killedWhileRunning(image);
            assertEquals(3, left.size(), left.toString());
            List<String> next = new ArrayList<>(List.of("-R", image.toString()));
            next.addAll(LEAVES_FILES);
            next.addAll(List.of("cat", "/etc/resolv.conf"));
            Result r = Isolate.exec(asNobody(next.toArray(String[]::new)), null);
            assertEquals(0, r.exit(), r.err());
            assertEquals("nameserver 10.0.0.53\n", r.out());
            assertNothingLeftIn(SUBDIRECTORIES);
        } finally {
            TestImages.delete(image);
        }
    }

    private void assertNothingLeftIn(List<String> subdirectories) throws IOException {
        for (String subdirectory : subdirectories) {
            assertEquals(List.of(), entries(subdirectory), subdirectory);
        }
    }

    /** Runs sleep in the image with {@link #LEAVES_FILES}, kills isolate with SIGKILL, and returns what it left. */
    private List<Path> killedWhileRunning(Path image) throws Exception {
        List<String> args = new ArrayList<>(List.of("-R", image.toString()));
        args.addAll(LEAVES_FILES);
        args.addAll(List.of("sleep", "300"));
        Process container = start(asNobody(args.toArray(String[]::new)));
        for (int i = 0; i < 400 && container.descendants().noneMatch(p -> p.info().arguments()
                .map(a -> List.of(a).equals(List.of("300"))).orElse(false)); i++) {
            TimeUnit.MILLISECONDS.sleep(25);
        }
        Isolate.kill(container.pid(), "KILL"); // ip netns exec, env and setpriv became isolate's JVM
        assertTrue(container.waitFor(30, TimeUnit.SECONDS));
        awaitNoSlirp();
        List<Path> left = new ArrayList<>();
        for (String subdirectory : SUBDIRECTORIES) {
            left.addAll(entries(subdirectory));
        }
        return left;
    }

    @Test
    void bridgeAndVethSaySlirpWorksWithoutPrivilege() {
        Result r = Isolate.exec(asNobody("--network", "veth", "true"), null);
        assertEquals(125, r.exit(), r.err());
        assertEquals("isolate: --network veth: needs root, to add interfaces to the host (without privilege,"
                + " --network slirp gives a network)\n", r.err());
    }
}
