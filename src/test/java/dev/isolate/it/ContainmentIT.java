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
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A root filesystem container as a boundary: what root inside holds and what it cannot do,
 * each tried by a probe inside (src/test/resources/containment-probe.c); and the same probes
 * succeeding with --privileged, which proves they can. {@link RootlessContainmentIT} runs it
 * all again as nobody.
 */
class ContainmentIT {
    /** docker's default set without MKNOD, as /proc/PID/status shows it. */
    static final String CONTAINED = "00000000a00425fb";
    private static Path probe;
    /** A busybox image with the probe, for root and for nobody (who must own what it writes to). */
    private static final Map<Boolean, Path> IMAGES = new HashMap<>();
    private Path image;

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    boolean rootless() {
        return false;
    }

    @BeforeAll
    static void buildProbe() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "isolate-probe");
        probe = dir.resolve("containment-probe");
        Result r = Isolate.exec(List.of("gcc", "-static", "-O2", "-o", probe.toString(),
                Path.of("src/test/resources/containment-probe.c").toAbsolutePath().toString()), null);
        assertEquals(0, r.exit(), "gcc (Debian packages gcc, libc6-dev): " + r.err());
    }

    @AfterAll
    static void removeProbe() {
        TestImages.delete(probe.getParent());
    }

    @BeforeEach
    void root() throws IOException {
        Privileged.requireRoot();
        synchronized (IMAGES) {
            image = IMAGES.get(rootless());
            if (image == null) {
                image = TestImages.fresh(rootless());
                Files.copy(probe, image.resolve("probe"));
                TestImages.run(List.of("chmod", "755", image.resolve("probe").toString()));
                IMAGES.put(rootless(), image);
            }
        }
    }

    Result run(String... args) {
        return isolate().run(args);
    }

    /** isolate OPTIONS -R image --overlay COMMAND: the image stays as it was for the next test. */
    Result contained(List<String> options, String... command) {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("-R", image.toString(), "--overlay"));
        args.addAll(List.of(command));
        return run(args.toArray(String[]::new));
    }

    Result contained(String... command) {
        return contained(List.of(), command);
    }

    /** The Cap* and other lines of the command's /proc/self/status. */
    Map<String, String> status(List<String> options) {
        Result r = contained(options, "cat", "/proc/self/status");
        assertEquals(0, r.exit(), r.err());
        Map<String, String> fields = new HashMap<>();
        r.out().lines().filter(line -> line.contains(":")).forEach(line ->
                fields.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1).trim()));
        return fields;
    }

    private static void assertSets(String mask, Map<String, String> status, String what) {
        assertSets(mask, mask, status, what);
    }

    private static void assertSets(String mask, String inheritable, Map<String, String> status, String what) {
        for (String set : List.of("CapPrm", "CapEff", "CapBnd")) {
            assertEquals(mask, status.get(set), what + ": " + set);
        }
        assertEquals(inheritable, status.get("CapInh"), what + ": CapInh");
        assertEquals("0000000000000000", status.get("CapAmb"), what + ": CapAmb");
    }

    /** Every capability the container's root can be given: all the kernel has in a new user namespace. */
    String everyCapability() throws IOException {
        if (rootless()) {
            int last = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/kernel/cap_last_cap")).get(0).trim());
            return String.format("%016x", (1L << (last + 1)) - 1);
        }
        return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("CapBnd:"))
                .map(l -> l.substring("CapBnd:".length()).trim()).findFirst().orElseThrow();
    }

    @Test
    void rootInsideHoldsDockersDefaultSetWithoutMknod() {
        Map<String, String> status = status(List.of());
        assertSets(CONTAINED, status, "default");
        assertEquals("0", status.get("NoNewPrivs"));
    }

    @Test
    void capabilitiesAreAddedAndDroppedInOrder() {
        assertSets("00000000a00435fb", status(List.of("--cap-add", "NET_ADMIN")), "--cap-add NET_ADMIN");
        assertSets("0000000000000000", status(List.of("--cap-drop", "ALL")), "--cap-drop ALL");
        assertSets("0000000000000020", status(List.of("--cap-drop", "all", "--cap-add", "cap_kill")),
                "--cap-drop all --cap-add cap_kill");
        assertSets("00000000a00425fa", status(List.of("--cap-drop", "CHOWN")), "--cap-drop CHOWN");
    }

    @Test
    void privilegedKeepsEveryCapability() throws IOException {
        // Left as root's exec leaves them, as docker's --privileged does: every set full, none inheritable.
        assertSets(everyCapability(), "0000000000000000", status(List.of("--privileged")), "--privileged");
    }

    @Test
    void noNewPrivilegesIsAnOption() {
        assertEquals("1", status(List.of("--security-opt", "no-new-privileges")).get("NoNewPrivs"));
        assertEquals("0", status(List.of("--security-opt", "no-new-privileges=false")).get("NoNewPrivs"));
    }

    @Test
    void aContainerHasItsOwnHostnameIpcAndCgroupNamespaces() throws IOException {
        Result r = contained("sh", "-c", "hostname; for ns in uts ipc cgroup; do readlink /proc/self/ns/$ns; done");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("isolate", lines.get(0));
        int i = 1;
        for (String ns : List.of("uts", "ipc", "cgroup")) {
            assertNotEquals(Files.readSymbolicLink(Path.of("/proc/self/ns/" + ns)).toString(), lines.get(i++), ns);
        }
        String name = "contained-" + ProcessHandle.current().pid();
        Result named = run("--name", name, "-R", image.toString(), "--overlay", "hostname");
        run("rm", name);
        assertEquals(0, named.exit(), named.err());
        assertEquals(name, named.out().strip(), "the name is the hostname");
    }

    /**
     * Each escape a contained root must not make, with the errno docker's users see. The image
     * is used as it is (an overlay would hide the host's filesystem from the handle), with a
     * fresh tmpfs on /tmp for the nodes.
     */
    Map<String, List<String>> escapes() {
        Map<String, List<String>> probes = new LinkedHashMap<>();
        probes.put("EPERM mount a tmpfs", List.of("mount", "x", "/mnt", "tmpfs"));
        probes.put("EPERM mount a cgroup v1 hierarchy", List.of("mount", "cgroup", "/mnt", "cgroup", "memory"));
        probes.put("EPERM make a block device", List.of("mknod", "/tmp/x", "b", "8", "0"));
        probes.put("EPERM make /dev/kmsg", List.of("mknod", "/dev/kmsg", "c", "1", "11"));
        probes.put("EPERM open the host's root by its handle (shocker)",
                List.of("open-handle", hostRootHandle()));
        return probes;
    }

    /** Escapes that undo what --privileged never does: a privileged container has nothing to undo. */
    Map<String, List<String>> undoings() {
        Map<String, List<String>> probes = new LinkedHashMap<>();
        probes.put("EPERM remount /proc/sys read-write", List.of("mount", "none", "/proc/sys", "none", "remount-rw"));
        probes.put("EPERM remount /sys read-write", List.of("mount", "none", "/sys", "none", "remount-rw"));
        probes.put("EPERM unmount a masked path", List.of("umount", "/proc/timer_list"));
        return probes;
    }

    private Result probed(List<String> options, List<String> probeArgs) {
        List<String> args = new ArrayList<>(options);
        args.addAll(List.of("-R", image.toString(), "--tmpfs", "/tmp", "/probe"));
        args.addAll(probeArgs);
        return run(args.toArray(String[]::new));
    }

    private static String hostRootHandle() {
        Result r = Isolate.exec(List.of(probe.toString(), "handle-of", "/"), null);
        assertEquals(0, r.exit(), r.out() + r.err());
        return r.out().strip();
    }

    @Test
    void rootInsideCannotReachTheHostsKernelOrDevices() {
        List<String> wrong = new ArrayList<>();
        Map<String, List<String>> all = new LinkedHashMap<>(escapes());
        all.putAll(undoings());
        for (Map.Entry<String, List<String>> escape : all.entrySet()) {
            Result r = probed(List.of(), escape.getValue());
            String expected = escape.getKey().substring(0, escape.getKey().indexOf(' '));
            if (r.exit() != 1 || !r.out().strip().equals(expected)) {
                wrong.add(escape.getKey() + ": got " + r.exit() + " " + r.out().strip() + r.err());
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void withPrivilegedTheSameProbesSucceed() {
        List<String> wrong = new ArrayList<>();
        for (Map.Entry<String, List<String>> escape : escapes().entrySet()) {
            if (rootless() && !escape.getKey().contains("tmpfs")) {
                continue; // the host's kernel still refuses nobody's user namespace these
            }
            Result r = probed(List.of("--privileged"), escape.getValue());
            if (r.exit() != 0 || !r.out().startsWith("ok")) {
                wrong.add(escape.getKey() + ": got " + r.exit() + " " + r.out().strip() + r.err());
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void kernelSecretsAreMaskedAndKernelSettingsReadOnly() {
        Result r = contained("sh", "-c", "/probe read /proc/timer_list; /probe read /proc/keys; ls -A /proc/acpi"
                + " /sys/firmware; /probe write /proc/sys/kernel/hostname x; /probe write /proc/sysrq-trigger h");
        List<String> lines = r.out().lines().filter(l -> !l.isBlank()).toList();
        assertEquals("ok 0", lines.get(0), "/proc/timer_list reads as /dev/null");
        assertEquals("ok 0", lines.get(1), "/proc/keys reads as /dev/null");
        assertEquals(List.of("/proc/acpi:", "/sys/firmware:"), lines.subList(2, 4), "masked directories are empty");
        // In a user namespace the host's ownership of the files is checked first.
        assertEquals(rootless() ? "EACCES" : "EROFS", lines.get(4), "/proc/sys is read-only");
        assertTrue(List.of("EROFS", "ENOENT").contains(lines.get(5)),
                "/proc/sysrq-trigger is read-only, where this kernel has it: " + lines.get(5));
    }

    @Test
    void aPacketSocketNeedsNetRawWhichCanBeDropped() {
        Result dropped = contained(List.of("--cap-drop", "NET_RAW"), "/probe", "packet");
        assertEquals("EPERM", dropped.out().strip(), dropped.err());
        Result kept = contained(List.of("-n"), "/probe", "packet");
        assertEquals("ok", kept.out().strip(), "docker's default set keeps NET_RAW, for ping: " + kept.err());
    }

    @Test
    void onlyStandardDescriptorsReachTheCommandUnlessPreserved() {
        String list = "ls /proc/self/fd/"; // and ls's own descriptor of the directory
        Result closed = Isolate.exec(List.of("bash", "-c", "exec 7</; " + isolate().shellCommand("-R",
                image.toString(), "--overlay", "sh", "-c", list)), null);
        assertEquals(0, closed.exit(), closed.err());
        assertFalse(closed.out().lines().anyMatch("7"::equals), "the caller's descriptor of / stays out: "
                + closed.out());
        Result preserved = Isolate.exec(List.of("bash", "-c", "exec 3</dev/null 4</dev/null 5</dev/null"
                + " 6</dev/null 7</; " + isolate().shellCommand("-R", image.toString(), "--overlay", "--preserve-fds",
                "5", "sh", "-c", list)), null);
        assertEquals(0, preserved.exit(), preserved.err());
        assertTrue(preserved.out().lines().anyMatch("7"::equals), "--preserve-fds 5 passes 3 to 7: "
                + preserved.out());
        Result missing = Isolate.exec(List.of("bash", "-c", isolate().shellCommand("-R", image.toString(),
                "--preserve-fds", "2", "true")), null);
        assertEquals(125, missing.exit());
        assertEquals("isolate: --preserve-fds 2: descriptors 3, 4 are not open in isolate's caller",
                missing.err().strip());
    }

    @Test
    void badCapabilityNamesAreOneLine() {
        Result r = run("-R", image.toString(), "--cap-add", "NET_ADMN", "true");
        assertEquals(125, r.exit());
        assertEquals("isolate: --cap-add NET_ADMN: not a capability (did you mean NET_ADMIN?); see capabilities(7),"
                + " or ALL", r.err().strip());
    }

    @Test
    void withoutARootFilesystemNothingChangesUnasked() throws IOException {
        Result r = run("-p", "cat", "/proc/self/status");
        assertEquals(0, r.exit(), r.err());
        String effective = r.out().lines().filter(l -> l.startsWith("CapEff:")).findFirst().orElseThrow()
                .substring("CapEff:".length()).trim();
        assertEquals(rootless() ? everyCapability() : everyCapability(), effective,
                "isolate -p without -R is the unshare tool: root keeps its capabilities");
        Result dropped = run("-p", "--cap-drop", "ALL", "grep", "CapEff", "/proc/self/status");
        assertEquals("CapEff:\t0000000000000000", dropped.out().strip(), dropped.err());
    }
}
