package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import dev.isolate.spec.RootFilesystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** --rootfs and its mounts on the real kernel, as root; {@link RootlessRootfsIT} runs it all again as nobody. */
class RootfsIT {
    private static final Map<Boolean, Path> TEMPLATES = new java.util.HashMap<>();
    private static final List<String> DEV = List.of("fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr",
            "stdin", "stdout", "tty", "urandom", "zero");

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    /** Whether the images and directories the command writes to belong to nobody. */
    boolean rootless() {
        return false;
    }

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    /** A busybox image of this test's own, which it may change. */
    Path image() {
        Path template;
        synchronized (TEMPLATES) {
            template = TEMPLATES.computeIfAbsent(rootless(), TestImages::fresh);
        }
        try {
            Path copy = Files.createTempDirectory(template.getParent(), "copy");
            TestImages.run(List.of("cp", "-a", template + "/.", copy.toString()));
            TestImages.run(List.of("chmod", "755", copy.toString()));
            if (rootless()) {
                TestImages.run(List.of("chown", "65534:65534", copy.toString()));
            }
            return copy;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An empty directory the command may write to. */
    Path hostDirectory() throws IOException {
        Path dir = Files.createTempDirectory(image().getParent(), "host");
        TestImages.run(List.of("chmod", "755", dir.toString()));
        if (rootless()) {
            TestImages.run(List.of("chown", "65534:65534", dir.toString()));
        }
        return dir;
    }

    private Result run(Path image, String... args) {
        List<String> all = new ArrayList<>(List.of("-R", image.toString()));
        all.addAll(List.of(args));
        return isolate().run(all.toArray(String[]::new));
    }

    private static Result ok(Result r) {
        assertEquals(0, r.exit(), r.out() + r.err());
        return r;
    }

    private static Set<String> entries(Path dir) throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private static Set<String> words(String text) {
        return new TreeSet<>(Arrays.asList(text.trim().split("\\s+")));
    }

    @Test
    void theCommandSeesTheImageFromItsRoot() throws IOException {
        Path image = image();
        Result r = ok(run(image, "sh", "-c", "ls -a /; echo; pwd; cat /etc/os-release"));
        String[] parts = r.out().split("\n\n");
        Set<String> expected = entries(image);
        expected.addAll(List.of(".", ".."));
        assertEquals(expected, words(parts[0]));
        assertTrue(parts[1].startsWith("/\nNAME=isolate-busybox"), parts[1]);
        assertEquals("", r.err());
        assertEquals("/etc\n", ok(run(image, "-w", "/etc", "pwd")).out(), "-w is a path inside the root");
    }

    @Test
    void processesDevicesAndMountsAreTheContainers() throws IOException {
        Result r = ok(run(image(), "sh", "-c", "ps -o pid,comm; echo; ls /dev; echo; echo x > /dev/null;"
                + " head -c 3 /dev/zero | wc -c; echo; cat /proc/self/mountinfo"));
        String[] parts = r.out().split("\n\n");
        List<String> ps = parts[0].lines().map(String::trim).toList();
        assertEquals("1 sh", ps.get(1), "the command is PID 1: " + ps);
        assertEquals(3, ps.size(), "only sh and ps: " + ps);
        assertEquals(new TreeSet<>(DEV), words(parts[1]));
        assertEquals("3", parts[2].trim());
        Map<String, String> mounts = new java.util.TreeMap<>();
        parts[3].lines().forEach(line -> {
            String[] f = line.split(" ");
            mounts.put(f[4], f[5] + " " + line.substring(line.indexOf(" - ") + 3));
        });
        Set<String> expected = new TreeSet<>(List.of("/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/sys"));
        List.of("null", "zero", "full", "random", "urandom", "tty").forEach(d -> expected.add("/dev/" + d));
        for (String path : java.util.stream.Stream.concat(RootFilesystem.READ_ONLY_PATHS.stream(),
                RootFilesystem.MASKED_PATHS.stream()).toList()) {
            if (Files.exists(Path.of(path))) {
                expected.add(path); // masked or made read-only, where this kernel has it
            }
        }
        Set<String> unexpected = new TreeSet<>(mounts.keySet());
        unexpected.removeAll(expected);
        unexpected.removeIf(point -> point.startsWith("/sys/")); // the host's /sys, bound with what is below it
        assertEquals(Set.of(), unexpected, "no host mount is left: " + mounts);
        assertTrue(mounts.keySet().containsAll(expected), mounts.toString());
        assertTrue(mounts.get("/proc").contains("proc proc"), mounts.get("/proc"));
        assertTrue(mounts.get("/dev/pts").contains("devpts devpts"), mounts.get("/dev/pts"));
        assertTrue(mounts.get("/dev").startsWith("rw,nosuid") && mounts.get("/dev").contains("tmpfs"));
        assertTrue(mounts.get("/sys").startsWith("ro"), mounts.get("/sys"));
        assertTrue(mounts.get("/proc/sys").startsWith("ro"), mounts.get("/proc/sys"));
    }

    @Test
    void protectedPartsOfProcAndSysCannotBeWrittenOrRead() {
        Result r = ok(run(image(), "sh", "-c", "echo 1 > /proc/sys/kernel/ns_last_pid; touch /sys/x;"
                + " cat /proc/keys /proc/timer_list 2>/dev/null | wc -c"));
        assertEquals(2, r.err().lines().filter(l -> l.contains("Read-only file system")).count(), r.err());
        assertEquals("0", r.out().trim(), "masked entries read as empty");
    }

    @Test
    void theHostIsUnreachableAfterTheSwitch() throws IOException {
        Path marker = Files.createTempFile(Path.of("/tmp"), "isolate-marker", "");
        try {
            Result r = ok(run(image(), "sh", "-c", "readlink /proc/1/root; ls -a /.. | wc -l; ls -a / | wc -l;"
                    + " ls /proc/1/root/ | wc -l; ls / | wc -l; test -e " + marker + " && echo reachable;"
                    + " ls /proc/self/fd"));
            List<String> lines = r.out().lines().toList();
            assertEquals("/", lines.get(0));
            assertEquals(lines.get(2), lines.get(1), "/.. is /");
            assertEquals(lines.get(4), lines.get(3), "/proc/1/root is /");
            assertEquals(List.of("0", "1", "2", "3"), lines.subList(5, lines.size()),
                    "no descriptor but stdio (and ls's own) is inherited");
        } finally {
            Files.delete(marker);
        }
    }

    /** Compiled from src/test/resources/chroot-escape.c; static, so it runs in any root. */
    private static Path chrootEscape() throws IOException {
        Path binary = Files.createTempDirectory(Path.of("/tmp"), "isolate-escape").resolve("chroot-escape");
        Result r = Isolate.exec(List.of("gcc", "-static", "-O2", "-o", binary.toString(),
                Path.of("src/test/resources/chroot-escape.c").toAbsolutePath().toString()), null);
        assertEquals(0, r.exit(), "gcc (Debian packages gcc, libc6-dev): " + r.err());
        return binary;
    }

    @Test
    void theClassicChrootEscapeFindsOnlyTheImage() throws IOException {
        Path escape = chrootEscape();
        try {
            Path image = image();
            Files.copy(escape, image.resolve("escape"));
            TestImages.run(List.of("chmod", "755", image.resolve("escape").toString()));
            Result againstChroot = Isolate.exec(List.of("chroot", image.toString(), "/escape"), null);
            Set<String> hostRoot = entries(Path.of("/"));
            hostRoot.addAll(List.of(".", ".."));
            assertEquals(hostRoot, words(againstChroot.out()), "the control: a plain chroot is escaped");
            TestImages.run(List.of("rmdir", image.resolve("escape-jail").toString()));
            Set<String> expected = entries(image);
            expected.addAll(List.of(".", "..", "escape-jail"));
            Result r = ok(run(image, "--overlay", "/escape"));
            assertEquals(expected, words(r.out()), "the escape ends in the container's own root");
        } finally {
            TestImages.delete(escape.getParent());
        }
    }

    @Test
    void bindsAndTmpfsesAreMountedInOrder() throws IOException {
        Path shared = hostDirectory();
        Path motd = Files.writeString(hostDirectory().resolve("motd"), "hello\n");
        Result r = ok(run(image(), "--bind", shared + ":/data", "--ro-bind", motd + ":/etc/motd",
                "--bind", shared + ":/ro:ro", "--tmpfs", "/scratch:size=1m", "--tmpfs", "/data/inner",
                "sh", "-c", "echo hi > /data/written; cat /etc/motd; (echo x > /ro/y) 2>&1;"
                        + " (echo x > /etc/motd) 2>&1; df -k /scratch | tail -1; touch /data/inner/t;"
                        + " mount | grep -c /data/inner"));
        List<String> lines = r.out().lines().toList();
        assertEquals("hello", lines.get(0));
        assertTrue(lines.get(1).contains("Read-only file system"), lines.get(1));
        assertTrue(lines.get(2).contains("Read-only file system"), lines.get(2));
        assertEquals("1024", lines.get(3).trim().split("\\s+")[1], "a 1 MiB tmpfs: " + lines.get(3));
        assertEquals("1", lines.get(4));
        assertEquals("hi\n", Files.readString(shared.resolve("written")));
        assertEquals(Set.of("inner", "written"), entries(shared), "the tmpfs stayed inside");
    }

    @Test
    void aReadOnlyRootIsNeverWritten() {
        Path image = image();
        Map<String, String> before = TreeSnapshot.of(image);
        Result r = run(image, "--read-only", "sh", "-c", "touch /x; touch /tmp/x; touch /dev/shm/x && echo shm ok");
        assertEquals("shm ok\n", r.out());
        assertEquals(2, r.err().lines().filter(l -> l.contains("Read-only file system")).count(), r.err());
        Result missing = run(image, "--read-only", "--tmpfs", "/no/such/dir", "true");
        assertEquals(125, missing.exit());
        assertEquals("isolate: create the mount point /no/such/dir in the root filesystem: Read-only file system\n",
                missing.err());
        assertEquals(before, TreeSnapshot.of(image));
    }

    @Test
    void anOverlayLeavesTheImageByteForByteUnchanged() {
        Path image = image();
        Map<String, String> before = TreeSnapshot.of(image);
        Result r = ok(run(image, "--overlay", "sh", "-c", "set -e; echo new > /new; echo more >> /etc/passwd;"
                + " rm /bin/ls; rm -r /home; mkdir -p /var/lib/x /mnt/y; chmod 700 /etc; ln -s /x /link;"
                + " touch /bin/busybox; mv /etc/group /etc/group2; chmod 1777 /tmp; echo done"));
        assertEquals("done\n", r.out());
        assertEquals(before, TreeSnapshot.of(image));
        assertEquals("yes\n", ok(run(image, "--overlay", "sh", "-c", "test -e /bin/ls && test ! -e /new && echo yes"))
                .out(), "each run starts from the image");
    }

    @Test
    void anOverlayUpperDirectoryKeepsTheChanges() throws IOException {
        Path image = image();
        Path keep = hostDirectory();
        Map<String, String> before = TreeSnapshot.of(image);
        ok(run(image, "--overlay-upper", keep.toString(), "sh", "-c", "echo kept > /kept; rm /bin/ls"));
        assertEquals("kept\nno ls\n", ok(run(image, "--overlay-upper", keep.toString(), "sh", "-c",
                "cat /kept; test -e /bin/ls || echo no ls")).out());
        assertEquals("kept\n", Files.readString(keep.resolve("upper/kept")));
        assertEquals(before, TreeSnapshot.of(image));
    }

    @Test
    void archivesAreUnpackedOnceAndReused() throws IOException {
        Path image = image();
        Path data = hostDirectory();
        Path archive = data.resolve("busybox.tar.gz");
        TestImages.run(List.of("tar", "-C", image.toString(), "-czf", archive.toString(), "."));
        TestImages.run(List.of("chmod", "644", archive.toString()));
        Isolate withCache = isolate().withEnvironment("XDG_DATA_HOME=" + data);
        Result first = withCache.run("-R", archive.toString(), "cat", "/etc/os-release");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().startsWith("NAME=isolate-busybox"));
        Path cache = rootless() ? data.resolve("isolate/images") : Path.of("/var/lib/isolate/images");
        String digest = sha256(archive);
        Path unpacked = cache.resolve(digest).resolve("rootfs");
        assertTrue(Files.isDirectory(unpacked), "unpacked under the archive's SHA-256");
        long inode = (Long) Files.getAttribute(unpacked, "unix:ino");
        assertEquals(0, withCache.run("-R", archive.toString(), "true").exit());
        assertEquals(inode, (Long) Files.getAttribute(unpacked, "unix:ino"), "the second run reuses the tree");
    }

    @Test
    void symbolicLinksInTheImageResolveInsideTheRoot() throws IOException {
        Path image = image();
        Path hostTarget = hostDirectory();
        Path inside = image.resolve(hostTarget.toString().substring(1));
        TestImages.run(List.of("mkdir", "-p", inside.toString()));
        if (rootless()) {
            TestImages.run(List.of("chown", "-R", "65534:65534", image.toString()));
        }
        Files.createSymbolicLink(image.resolve("abs"), hostTarget);
        Files.createSymbolicLink(image.resolve("rel"), Path.of("../../../../../../../.." + hostTarget));
        List<String> hostMounts = HostMounts.snapshot();
        Result r = ok(run(image, "--tmpfs", "/abs/t1", "--bind", hostDirectory() + ":/rel/t2", "sh", "-c",
                "mount | grep -c " + hostTarget + "/t"));
        assertEquals("2", r.out().trim(), "both land on the image's own " + hostTarget);
        assertEquals(Set.of(), entries(hostTarget), "nothing was created or mounted on the host's");
        assertEquals(Set.of("t1", "t2"), entries(inside));
        assertEquals(hostMounts, HostMounts.snapshot());
    }

    @Test
    void badInputIsOneLineAndLeavesNothingMounted() throws IOException {
        Path image = image();
        Path corrupt = Files.writeString(hostDirectory().resolve("corrupt.tar"), "not a tar archive ".repeat(100));
        Path file = Files.writeString(hostDirectory().resolve("plain"), "x");
        Isolate withCache = isolate().withEnvironment("XDG_DATA_HOME=" + hostDirectory());
        List<String> before = HostMounts.snapshot();
        Map<List<String>, String> cases = Map.of(
                List.of("-R", "/no/such/rootfs", "true"), "isolate: rootfs /no/such/rootfs: no such file or directory",
                List.of("-R", file.toString(), "true"), "isolate: rootfs " + file
                        + ": not a directory, nor a .tar, .tar.gz or .tgz archive",
                List.of("-R", corrupt.toString(), "true"), "isolate: rootfs archive " + corrupt
                        + ": not a readable tar archive (tar: This does not look like a tar archive)",
                List.of("-R", image.toString(), "--bind", "/no/such/source:/x", "true"),
                "isolate: bind source /no/such/source: no such file or directory",
                List.of("-R", image.toString(), "--bind", "/tmp:/../etc", "true"),
                "isolate: bind destination \"/../etc\": leaves the container's root through ..",
                List.of("-R", image.toString(), "--tmpfs", "/t:size=huge", "true"),
                "isolate: tmpfs size \"huge\": use a number of bytes with an optional k, m or g suffix,"
                        + " or a percentage of memory such as 10%",
                List.of("--bind", "/tmp:/x", "true"), "isolate: --bind: needs a root filesystem (--rootfs)");
        cases.forEach((args, message) -> {
            Result r = withCache.run(args.toArray(String[]::new));
            assertEquals(125, r.exit(), args + ": " + r.err());
            assertEquals(message + "\n", r.err(), args.toString());
            assertEquals("", r.out());
        });
        Result missing = run(image, "no-such-command");
        assertEquals(127, missing.exit(), "a rootfs without the command is 127, as docker run says");
        assertEquals("isolate: exec \"no-such-command\": No such file or directory\n", missing.err());
        assertEquals(before, HostMounts.snapshot());
    }

    @Test
    void theHostsMountsAreTheSameAfter200Runs() throws Exception {
        Path image = image();
        Path shared = hostDirectory();
        List<String> before = HostMounts.snapshot();
        String mountinfoBefore = Files.readString(Path.of("/proc/self/mountinfo"));
        List<List<String>> variants = List.of(
                List.of("true"),
                List.of("--overlay", "sh", "-c", "echo x > /x"),
                List.of("--read-only", "--tmpfs", "/tmp", "true"),
                List.of("-n", "--bind", shared + ":/mnt", "--tmpfs", "/mnt/t", "true"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Result>> runs = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                List<String> args = variants.get(i % variants.size());
                runs.add(pool.submit(() -> run(image, args.toArray(String[]::new))));
            }
            for (Future<Result> run : runs) {
                Result r = run.get();
                assertEquals(0, r.exit(), r.err());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(before, HostMounts.snapshot());
        assertEquals(mountinfoBefore, Files.readString(Path.of("/proc/self/mountinfo")));
        assertFalse(Files.readString(Path.of("/proc/self/mountinfo")).contains(image.toString()));
    }

    /**
     * A shared tmpfs of the test's own, bound into the container: a mount made on it on the
     * host reaches the container with slave and shared propagation, and one made in the
     * container reaches the host only with shared, and only as root (the kernel turns shared
     * mounts into slaves in a less privileged user namespace).
     */
    @Test
    void propagationDecidesWhichMountsCrossOver() throws Exception {
        for (String mode : List.of("private", "slave", "shared")) {
            Path shared = hostDirectory();
            TestImages.run(List.of("mount", "-t", "tmpfs", "isolate-test-shared", shared.toString()));
            try {
                TestImages.run(List.of("mount", "--make-shared", shared.toString()));
                TestImages.run(List.of("chmod", "777", shared.toString()));
                List<String> hostMounts = HostMounts.snapshot();
                // --privileged: root in the container may mount, which the propagation is about.
                Process container = isolate().start("-R", image().toString(), "--privileged", "--propagation", mode,
                        "--bind", shared + ":/mnt", "sh", "-c", "mkdir /mnt/inner; mount -t tmpfs inner /mnt/inner;"
                                + " echo ready; read x; grep -c ' /mnt/late ' /proc/self/mountinfo; true");
                java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(
                        container.getInputStream()));
                assertEquals("ready", Isolate.readLine(out), mode);
                boolean innerOnHost = Files.readString(Path.of("/proc/self/mountinfo")).contains(shared + "/inner ");
                TestImages.run(List.of("mkdir", shared + "/late"));
                TestImages.run(List.of("mount", "-t", "tmpfs", "isolate-test-late", shared + "/late"));
                container.getOutputStream().write('\n');
                container.getOutputStream().close();
                String lateInside = Isolate.readLine(out);
                assertEquals(0, container.waitFor(), mode);
                assertEquals(mode.equals("private") ? "0" : "1", lateInside, mode + ": the host's later mount");
                assertEquals(mode.equals("shared") && !rootless(), innerOnHost, mode + ": the container's mount");
                TestImages.run(List.of("umount", shared + "/late"));
                if (innerOnHost) {
                    TestImages.run(List.of("umount", shared + "/inner"));
                }
                assertEquals(hostMounts, HostMounts.snapshot(), mode + ": nothing else reached the host");
            } finally {
                Isolate.exec(List.of("umount", "-R", shared.toString()), null);
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(file)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
