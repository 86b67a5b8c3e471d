package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The seccomp filter on the real kernel, as root, each a probe run inside a busybox -R image;
 * {@link RootlessSeccompIT} runs it all again as nobody.
 */
class SeccompIT {
    private static final Map<Boolean, Path> IMAGES = new HashMap<>();
    /** Profiles and probes, where nobody can read them too. */
    private static Path files;

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    boolean rootless() {
        return false;
    }

    @BeforeAll
    static void buildProbes() throws IOException {
        files = Files.createTempDirectory(Path.of("/tmp"), "isolate-seccomp");
        TestImages.run(List.of("chmod", "755", files.toString()));
        for (String probe : List.of("tiocsti", "keyctl")) {
            Result r = Isolate.exec(List.of("gcc", "-static", "-O2", "-o", files.resolve(probe).toString(),
                    Path.of("src/test/resources/" + probe + ".c").toAbsolutePath().toString()), null);
            assertEquals(0, r.exit(), "gcc (Debian packages gcc, libc6-dev): " + r.err());
        }
        for (String profile : List.of("deny-mkdir.json", "moby-style.json", "podman-style.json")) {
            Files.copy(Path.of("src/test/resources/seccomp/" + profile), files.resolve(profile));
        }
        TestImages.run(List.of("chmod", "-R", "a+rX", files.toString()));
    }

    @AfterAll
    static void removeProbes() {
        TestImages.delete(files);
    }

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    /** A busybox image with the probes in /probe, shared by this class's tests (none writes to it). */
    Path image() {
        synchronized (IMAGES) {
            return IMAGES.computeIfAbsent(rootless(), nobody -> {
                Path image = TestImages.fresh(nobody);
                TestImages.run(List.of("mkdir", image.resolve("probe").toString()));
                TestImages.run(List.of("cp", files.resolve("tiocsti").toString(), files.resolve("keyctl").toString(),
                        image.resolve("probe").toString()));
                TestImages.run(List.of("chmod", "-R", "a+rX", image.resolve("probe").toString()));
                return image;
            });
        }
    }

    private Result inImage(String... args) {
        List<String> all = new ArrayList<>(List.of("-R", image().toString()));
        all.addAll(List.of(args));
        return isolate().run(all.toArray(String[]::new));
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exit(), r.err());
        return r;
    }

    /** A field of /proc/self/status as the command sees it. */
    private static String status(Result r, String field) {
        return ok(r).out().lines().filter(line -> line.startsWith(field + ":")).map(line -> line.split("\\s+")[1])
                .findFirst().orElseThrow(() -> new AssertionError(field + " not in " + r.out()));
    }

    @Test
    void aContainerIsFilteredByDefault() {
        assertEquals("2", status(inImage("cat", "/proc/self/status"), "Seccomp"));
        assertEquals("0", status(inImage("cat", "/proc/self/status"), "NoNewPrivs"),
                "the filter went in while the child held CAP_SYS_ADMIN, so setuid programs still work");
        assertEquals("0", status(inImage("--security-opt", "seccomp=unconfined", "cat", "/proc/self/status"),
                "Seccomp"));
        assertEquals("0", status(inImage("--privileged", "cat", "/proc/self/status"), "Seccomp"));
        assertEquals("2", status(inImage("--security-opt", "no-new-privileges", "cat", "/proc/self/status"),
                "Seccomp"), "installed last, after no_new_privs");
    }

    @Test
    void withoutARootFilesystemTheDefaultProfileIsThereOnRequest() {
        assertEquals("0", status(isolate().run("cat", "/proc/self/status"), "Seccomp"));
        Result r = isolate().run("-v", "--security-opt", "seccomp=default", "cat", "/proc/self/status");
        assertEquals("2", status(r, "Seccomp"));
        assertTrue(r.err().contains("seccomp profile default: "), r.err());
        assertTrue(r.err().contains("install the seccomp filter ("), "-v shows the step: " + r.err());
        // Without a user namespace, nobody gives the child no CAP_SYS_ADMIN: it sets no_new_privs itself.
        assertEquals(rootless() ? "1" : "0", status(r, "NoNewPrivs"));
        assertEquals(rootless(), r.err().contains("set no_new_privs: without a user namespace"), r.err());
    }

    @Test
    void aProfileThatDeniesMkdirMakesMkdirFailWithEperm() {
        Result r = inImage("--overlay", "--security-opt", "seccomp=" + files.resolve("deny-mkdir.json"), "sh", "-c",
                "mkdir /tmp/x; echo status $?; touch /tmp/y && echo touched");
        assertTrue(r.err().contains("mkdir: can't create directory '/tmp/x': Operation not permitted"), r.err());
        assertEquals("status 1\ntouched\n", r.out());
    }

    @Test
    void mobyAndPodmanStyleProfilesLoad() {
        for (String profile : List.of("moby-style.json", "podman-style.json")) {
            ok(inImage("--security-opt", "seccomp=" + files.resolve(profile), "true"));
        }
    }

    @Test
    void aNewUserNamespaceIsDenied() {
        Result r = inImage("unshare", "-U", "true");
        assertNotEquals(0, r.exit());
        assertTrue(r.err().contains("Operation not permitted"), r.err());
        ok(inImage("--privileged", "unshare", "-U", "true")); // the control: unfiltered, with every capability
    }

    @Test
    void keyctlIsDenied() {
        Result r = inImage("/probe/keyctl");
        assertEquals("keyctl: Operation not permitted\n", r.out());
        assertEquals(1, r.exit());
        assertTrue(ok(inImage("--security-opt", "seccomp=unconfined", "/probe/keyctl")).out()
                .startsWith("keyctl: keyring "), "the control: without the filter keyctl answers");
    }

    /**
     * The command shares the caller's terminal (no -t): a pseudo-terminal made by script(1),
     * whose shell reads a line after isolate ends. With the default profile TIOCSTI fails and
     * the shell reads nothing; unconfined, the probe types the line (dev.tty.legacy_tiocsti is 1
     * here), which proves the probe works.
     */
    @Test
    void theCommandCannotTypeIntoTheCallersTerminal() throws Exception {
        String contained = underTerminal();
        assertTrue(contained.contains("TCGETS: ok"), "an ordinary terminal ioctl still works: " + contained);
        assertTrue(contained.contains("TIOCSTI: Operation not permitted"), contained);
        assertTrue(contained.contains("read:[]"), "the caller's terminal received nothing: " + contained);
        String unconfined = underTerminal("--security-opt", "seccomp=unconfined");
        assertTrue(unconfined.contains("TIOCSTI: typed"), unconfined);
        assertTrue(unconfined.contains("read:[echo injected]"), unconfined);
    }

    /**
     * With -t, the command's terminal is its own: TIOCSTI is still denied, and even unconfined
     * what it types lands in its own pseudo-terminal, never in the caller's.
     */
    @Test
    void withItsOwnTerminalNothingReachesTheCallersEither() throws Exception {
        String contained = underTerminal("-t");
        assertTrue(contained.contains("TIOCSTI: Operation not permitted"), contained);
        assertTrue(contained.contains("read:[]"), "the caller's terminal received nothing: " + contained);
        String unconfined = underTerminal("-t", "--security-opt", "seccomp=unconfined");
        assertTrue(unconfined.contains("TIOCSTI: typed"), "typed into its own terminal: " + unconfined);
        assertTrue(unconfined.contains("read:[]"), "the caller's terminal received nothing: " + unconfined);
    }

    private String underTerminal(String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("-R", image().toString()));
        args.addAll(List.of(options));
        args.addAll(List.of("/probe/tiocsti", "echo injected\n"));
        String shell = isolate().shellCommand(args.toArray(String[]::new))
                + "; read -t 2 line; echo \"read:[$line]\"";
        Process script = new ProcessBuilder("script", "-qec", "bash -c '" + shell.replace("'", "'\\''") + "'",
                "/dev/null").directory(Path.of("/tmp").toFile()).redirectErrorStream(true).start();
        CompletableFuture<String> out = Isolate.readAsync(script.getInputStream());
        OutputStream keyboard = script.getOutputStream(); // kept open: nothing is typed, and no end of file either
        try {
            assertTrue(script.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS), "script ended");
            return out.get().replace("\r", "");
        } finally {
            keyboard.close();
            script.destroyForcibly();
        }
    }

    @Test
    void aBadProfileIsOneLineAndChangesNothing() throws IOException {
        String name = "seccomp-bad-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> mounts = HostMounts.snapshot();
        Path missing = files.resolve("missing.json");
        Result r = inImage("--name", name, "--security-opt", "seccomp=" + missing, "true");
        assertEquals(125, r.exit());
        assertTrue(r.err().startsWith("isolate: seccomp profile " + missing + ": "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        Path bad = Files.writeString(Files.createTempFile(files, "bad", ".json"),
                "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"mkdir\"], \"action\":"
                        + " \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_MASKED\"}]}]}");
        TestImages.run(List.of("chmod", "644", bad.toString()));
        r = inImage("--name", name, "--overlay", "--security-opt", "seccomp=" + bad, "true");
        assertEquals(125, r.exit());
        assertEquals("isolate: seccomp profile " + bad + ": syscalls[0].args[0].op \"SCMP_CMP_MASKED\": expected one"
                + " of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT,"
                + " SCMP_CMP_MASKED_EQ\n", r.err());
        Files.writeString(bad, "not json");
        r = inImage("--name", name, "--security-opt", "seccomp=" + bad, "true");
        assertEquals(125, r.exit());
        assertTrue(r.err().startsWith("isolate: seccomp profile " + bad + ": not JSON: "), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertEquals(mounts, HostMounts.snapshot());
        assertFalse(ok(isolate().run("ps", "-a")).out().contains(name), "no record was made");
        assertEquals(0, ProcessHandle.current().children().count());
    }

    /** Without libseccomp (hidden in a mount namespace of the test's own) nothing runs unfiltered. */
    @Test
    void withoutLibseccompTheLaunchIsRefused() throws IOException {
        Path library = Path.of("/lib/x86_64-linux-gnu/libseccomp.so.2").toRealPath();
        String hide = "mount --bind /dev/null " + library + " && ";
        Result refused = Isolate.exec(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", hide
                + isolate().shellCommand("-R", image().toString(), "true")), null);
        assertEquals("isolate: seccomp: libseccomp.so.2 is not installed (Debian package libseccomp2); isolate builds"
                + " its filters with it. Install it, or run with --security-opt seccomp=unconfined\n", refused.err());
        assertEquals(125, refused.exit());
        ok(Isolate.exec(List.of("unshare", "-m", "--propagation", "private", "sh", "-c", hide
                + isolate().shellCommand("-R", image().toString(), "--security-opt", "seccomp=unconfined", "true")),
                null));
    }

    /**
     * The dry run shows the filter as strace would, compiled but not kept; a run keeps it in
     * the caller's cache, which only its owner can write.
     */
    @Test
    void aDryRunShowsTheFilterAndKeepsNothing() throws IOException {
        Path cache = Files.createTempDirectory(files, "cache");
        TestImages.run(List.of("chmod", "777", cache.toString()));
        Isolate withCache = isolate().withEnvironment("XDG_CACHE_HOME=" + cache);
        List<String> args = List.of("-R", image().toString(), "true");
        List<String> dryRun = new ArrayList<>(List.of("--dry-run"));
        dryRun.addAll(args);
        Result r = ok(withCache.run(dryRun.toArray(String[]::new)));
        assertTrue(r.out().contains(" seccomp(SECCOMP_SET_MODE_FILTER, 0, {len="), r.out());
        Path kept = rootless() ? cache.resolve("isolate/seccomp") : Path.of("/var/cache/isolate/seccomp");
        List<String> before = list(kept);
        ok(withCache.run("--dry-run", "--security-opt", "seccomp=" + uniqueProfile(), "-R", image().toString(),
                "true"));
        assertEquals(before, list(kept), "a dry run keeps no filter");
        ok(withCache.run("--security-opt", "seccomp=" + uniqueProfile(), "-R", image().toString(), "true"));
        List<String> after = list(kept);
        assertEquals(before.size() + 1, after.size(), "a run keeps its filter: " + after);
        Result again = ok(withCache.run("-v", "--security-opt", "seccomp=" + uniqueProfile(), "-R",
                image().toString(), "true"));
        assertTrue(again.err().contains("BPF instructions, from the cache (" + kept), again.err());
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(kept)));
    }

    private Path unique;

    /** deny-mkdir.json with a comment of this test run's own, so its filter is new to the cache. */
    private Path uniqueProfile() throws IOException {
        if (unique == null) {
            unique = Files.writeString(Files.createTempFile(files, "unique", ".json"), "{\"defaultAction\":"
                    + " \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"comment\": \"" + UUID.randomUUID() + "\", \"names\":"
                    + " [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"}]}");
            TestImages.run(List.of("chmod", "644", unique.toString()));
        }
        return unique;
    }

    private static List<String> list(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (var entries = Files.list(directory)) {
            return entries.map(Path::toString).sorted().toList();
        }
    }
}
