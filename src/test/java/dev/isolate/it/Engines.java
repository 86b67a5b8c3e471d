package dev.isolate.it;

import dev.isolate.it.Isolate.Result;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * podman and containerd as the engine tests drive them: each with its storage, state and
 * configuration in a directory of the test (nothing of the machine's own engines is read or
 * written), calling the OCI runtime named by the system property {@code isolate.runtime}
 * (by default the checkout's scripts/isolate-runtime), and removed without a trace.
 */
final class Engines {
    static final String IMAGE = "localhost/isolate-test:1";
    /** Every directory and cgroup the tests make carries this, so a leftover names its maker. */
    private static final String PREFIX = "isolate-engines";
    private static final Path CGROUPS = Path.of("/sys/fs/cgroup");

    private Engines() {
    }

    /** The runtime the engines call; a missing one fails the test rather than skipping it. */
    static Path runtime() {
        Path runtime = Path.of(System.getProperty("isolate.runtime", "scripts/isolate-runtime")).toAbsolutePath();
        if (!Files.isExecutable(runtime)) {
            throw new AssertionError("the OCI runtime " + runtime + " is not an executable file (-Disolate.runtime=PATH)");
        }
        return runtime;
    }

    static Result exec(List<String> command) {
        return Isolate.exec(command, null);
    }

    /** The command's output, or a failure that shows what went wrong. */
    static String succeed(List<String> command) {
        Result r = exec(command);
        if (r.exit() != 0) {
            throw new AssertionError(command + " exited with " + r.exit() + ": " + r.out() + r.err());
        }
        return r.out();
    }

    /** A directory every user may enter (rootless podman runs as nobody), under /tmp. */
    private static Path scratch(String what) {
        try {
            Path dir = Files.createTempDirectory(Path.of("/tmp"), PREFIX + "-" + what);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A busybox root (scripts/busybox-rootfs) as one tar archive, as both image imports take it. */
    private static Path busyboxTar(Path dir) {
        Path root = TestImages.fresh(false);
        Path tar = dir.resolve("busybox.tar");
        succeed(List.of("tar", "-C", root.toString(), "--numeric-owner", "-cf", tar.toString(), "."));
        TestImages.delete(root);
        return tar;
    }

    /**
     * {@code command} on a pseudo-terminal of 24 rows and 80 columns (util-linux script), as
     * an interactive user runs it. script's input stays open until the command ends: at its
     * end, script would send the terminal's end-of-file, which the terminal echoes.
     */
    static Result onTerminal(List<String> command) {
        try {
            Process script = new ProcessBuilder("env", "--default-signal", "script", "--quiet", "--return", "--command",
                    "stty rows 24 cols 80; " + shell(command), "/dev/null").directory(Path.of("/tmp").toFile()).start();
            var out = Isolate.readAsync(script.getInputStream());
            var err = Isolate.readAsync(script.getErrorStream());
            if (!script.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                script.descendants().forEach(ProcessHandle::destroyForcibly);
                script.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            script.getOutputStream().close();
            return new Result(script.exitValue(), out.get(), err.get());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The shell word list of a command, for sh -c and script -c. */
    private static String shell(List<String> command) {
        return String.join(" ", command.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
    }

    /** The hard RLIMIT_NOFILE of this JVM, which its children cannot raise without CAP_SYS_RESOURCE. */
    private static long hardOpenFilesLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no \"Max open files\" in /proc/self/limits");
    }

    /** The lines of /proc/self/mountinfo that name {@code dir}: mounts an engine or its runtime left. */
    static List<String> mountsUnder(Path dir) {
        try {
            return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(line -> line.contains(dir.toString())).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Unmounts (deepest first) whatever is still mounted under {@code dir}, then removes it;
     * lazily, as a container that a failed test left may still hold a mount busy.
     */
    private static void removeTree(Path dir) {
        List<String> points = new ArrayList<>(mountsUnder(dir).stream().map(line -> line.split(" ")[4]).toList());
        points.sort((a, b) -> b.length() - a.length());
        for (String point : points) {
            exec(List.of("umount", "-l", point));
        }
        TestImages.delete(dir);
    }

    /** {@code path} (a cgroup path, "/a/b") in every hierarchy that has it. */
    static List<Path> cgroupsNamed(String path) {
        try (Stream<Path> hierarchies = Files.list(CGROUPS)) {
            return hierarchies.map(h -> h.resolve(path.substring(1))).filter(Files::isDirectory).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills what a failed test left in a cgroup of its own, then removes it and those below it. */
    private static void removeCgroups(String path) {
        List<ProcessHandle> members = new ArrayList<>();
        for (Path cgroup : cgroupsNamed(path)) {
            try (Stream<Path> procs = Files.walk(cgroup).filter(p -> p.endsWith("cgroup.procs"))) {
                for (Path list : procs.toList()) {
                    Files.readAllLines(list).forEach(pid -> ProcessHandle.of(Long.parseLong(pid)).ifPresent(members::add));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        killAll(members);
        for (Path cgroup : cgroupsNamed(path)) {
            try (Stream<Path> tree = Files.walk(cgroup)) {
                tree.filter(Files::isDirectory).sorted((a, b) -> b.getNameCount() - a.getNameCount())
                        .forEach(d -> d.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The live processes whose command line mentions {@code text} (a test's directory). */
    static List<ProcessHandle> processesMentioning(String text) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(line -> line.contains(text)).orElse(false))
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .toList();
    }

    private static void killAll(List<ProcessHandle> processes) {
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : processes) {
            p.onExit().completeOnTimeout(p, 10, TimeUnit.SECONDS).join();
        }
    }

    /** Writes a file (these are the tests' own configuration files) readable by every user. */
    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * podman with its storage (--root), run root (--runroot), temporary files (--tmpdir,
     * TMPDIR) and containers.conf in a directory of its own: the configuration this kind of
     * machine needs (cgroupfs, as no systemd runs; events in a file, as there is no journal;
     * locks in files, not in the machine's shared memory; ulimits within the caller's, as
     * podman's default nofile of 1048576 needs CAP_SYS_RESOURCE).
     */
    static final class Podman implements AutoCloseable {
        private final Path dir;
        private final List<String> user;
        private final Path runtime;
        /** Every container's cgroup goes below this one, removed at close; none rootless (no cgroup v1 delegation). */
        private final Optional<String> cgroupParent;

        private Podman(Path dir, List<String> user, Path runtime, Optional<String> cgroupParent) {
            this.dir = dir;
            this.user = user;
            this.runtime = runtime;
            this.cgroupParent = cgroupParent;
            // nproc as podman caps it for root anyway, nofile at the hard limit the caller has
            write(dir.resolve("containers.conf"), """
                    [engine]
                    cgroup_manager = "cgroupfs"
                    events_logger = "file"
                    lock_type = "file"
                    [containers]
                    default_ulimits = ["nofile=%1$d:%1$d", "nproc=32768:32768"]
                    """.formatted(hardOpenFilesLimit()));
        }

        static Podman asRoot() {
            Path dir = scratch("pm"); // podman refuses a --runroot longer than 50 characters
            try {
                Files.createDirectory(dir.resolve("tmp"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Podman(dir, List.of(), runtime(), Optional.of("/" + dir.getFileName()));
        }

        /**
         * podman as nobody, with the single uid mapping podman falls back to without
         * /etc/subuid ranges; the runtime is copied where nobody can read it when it is the
         * checkout's (which may sit in a directory only its owner can enter).
         */
        static Podman asNobody() {
            Path dir = scratch("rl"); // short, as for root
            Path runtime = runtime();
            Path repo = Path.of("").toAbsolutePath();
            if (runtime.startsWith(repo)) {
                Path copy = RootlessCopy.script().resolveSibling(runtime.getFileName());
                try {
                    Files.copy(runtime, copy, StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                runtime = copy;
            }
            List<String> nobody = new ArrayList<>(Isolate.AS_NOBODY);
            nobody.addAll(List.of("env", "HOME=" + dir.resolve("home"), "XDG_RUNTIME_DIR=" + dir.resolve("xdg")));
            List<String> own = new ArrayList<>(List.of("install", "-d", "-o", "65534", "-g", "65534", "-m", "0700"));
            Stream.of("home", "xdg", "tmp", "storage", "run", "libpod").forEach(d -> own.add(dir.resolve(d).toString()));
            succeed(own);
            return new Podman(dir, nobody, runtime, Optional.empty());
        }

        Path runtimeBinary() {
            return runtime;
        }

        /** podman with these arguments after its global options. */
        List<String> command(String... args) {
            List<String> command = new ArrayList<>(user);
            command.addAll(List.of("env", "CONTAINERS_CONF=" + dir.resolve("containers.conf"), "TMPDIR=" + dir.resolve("tmp"),
                    "podman", "--root", dir.resolve("storage").toString(), "--runroot", dir.resolve("run").toString(),
                    "--storage-driver", "overlay", "--tmpdir", dir.resolve("libpod").toString(),
                    "--runtime", runtime.toString()));
            command.addAll(List.of(args));
            return command;
        }

        /** podman run on {@code network} ("none" unless inside a test's network namespace). */
        List<String> run(String network, String... args) {
            List<String> run = new ArrayList<>(List.of("run", "--network", network));
            cgroupParent.ifPresent(parent -> run.addAll(List.of("--cgroup-parent", parent)));
            run.addAll(List.of(args));
            return command(run.toArray(String[]::new));
        }

        /**
         * Imports the busybox image. As root, podman keeps the image copy's blob cache in
         * /var/lib/containers/cache whatever --root says: the import runs in a mount namespace
         * of its own with a tmpfs on /var/lib, so the machine's cache is left alone (as
         * nobody, the cache goes to HOME, the test's).
         */
        void importImage() {
            Path tar = busyboxTar(dir);
            List<String> importing = new ArrayList<>();
            if (user.isEmpty()) {
                importing.addAll(List.of("unshare", "--mount", "--propagation", "private",
                        "sh", "-c", "mount -t tmpfs tmpfs /var/lib && exec \"$@\"", "import"));
            }
            importing.addAll(command("import", tar.toString(), IMAGE));
            succeed(importing);
        }

        Optional<String> cgroupParent() {
            return cgroupParent;
        }

        Path dir() {
            return dir;
        }

        /**
         * Removes the containers a failed test left, then everything podman made. Under
         * cgroupfs conmon moves itself into {@code <parent>/conmon}, which podman never
         * removes: that one is podman's, and removed here with the parent.
         */
        @Override
        public void close() {
            exec(command("rm", "--all", "--force", "--time", "0"));
            cgroupParent.ifPresent(Engines::removeCgroups);
            killAll(processesMentioning(dir.toString()));
            removeTree(dir);
        }
    }

    /**
     * A network namespace (and a private mount namespace) of the test's own, held by a
     * sleeping process: podman's CNI bridge, its veth, its iptables rules and its CNI state
     * (tmpfs over /run and /var/lib/cni) exist only there, and vanish with it.
     */
    static final class NetworkNamespace implements AutoCloseable {
        private static final Path CNI_STATE = Path.of("/var/lib/cni");
        private final Process holder;
        private final boolean madeCniState;

        private NetworkNamespace(Process holder, boolean madeCniState) {
            this.holder = holder;
            this.madeCniState = madeCniState;
        }

        static NetworkNamespace create() throws IOException {
            boolean madeCniState = !Files.exists(CNI_STATE);
            Files.createDirectories(CNI_STATE);
            Process holder = new ProcessBuilder("unshare", "--net", "--mount", "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs -o mode=0755 tmpfs /run && mount -t tmpfs -o mode=0755 tmpfs " + CNI_STATE
                            + " && ip link set lo up && echo ready && exec sleep 600")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            NetworkNamespace namespace = new NetworkNamespace(holder, madeCniState);
            String ready = Isolate.readLine(holder.inputReader());
            if (!"ready".equals(ready)) {
                namespace.close();
                throw new AssertionError("the network namespace was not made: " + ready);
            }
            return namespace;
        }

        /** {@code command} run inside both namespaces. */
        List<String> inside(List<String> command) {
            List<String> entered = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-n", "-m"));
            entered.addAll(command);
            return entered;
        }

        @Override
        public void close() {
            holder.destroyForcibly();
            try {
                holder.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (madeCniState) {
                CNI_STATE.toFile().delete();
            }
        }
    }

    /**
     * containerd with its root, state, sockets and configuration in a directory of the
     * test: version 2 configuration without the CRI plugin (it needs CNI and a network) and
     * without the snapshotters this machine lacks. Its runc v2 shim is pointed at the runtime
     * by ctr's --runc-binary, which sets the shim option BinaryName that a Kubernetes
     * RuntimeClass handler sets from config.toml (the CRI plugin, left out here, passes it
     * the same way).
     */
    static final class Containerd implements AutoCloseable {
        private static final String NAMESPACE = "isolate-test";
        /** The runc v2 shim puts its sockets here whatever containerd's state directory. */
        private static final Path SHIM_SOCKETS = Path.of("/run/containerd");
        private final Path dir;
        private final Process daemon;
        private final boolean madeShimSockets;

        private Containerd(Path dir, Process daemon, boolean madeShimSockets) {
            this.dir = dir;
            this.daemon = daemon;
            this.madeShimSockets = madeShimSockets;
        }

        static Containerd start() throws IOException, InterruptedException {
            Path dir = scratch("containerd");
            write(dir.resolve("config.toml"), """
                    version = 2
                    root = "%1$s/root"
                    state = "%1$s/state"
                    disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
                      "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
                      "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
                      "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
                    [grpc]
                      address = "%1$s/containerd.sock"
                    [ttrpc]
                      address = "%1$s/containerd.sock.ttrpc"
                    """.formatted(dir));
            boolean madeShimSockets = !Files.exists(SHIM_SOCKETS);
            Process daemon = new ProcessBuilder("containerd", "--config", dir.resolve("config.toml").toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
            Containerd containerd = new Containerd(dir, daemon, madeShimSockets);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (exec(containerd.ctr("version")).exit() != 0) {
                if (!daemon.isAlive() || System.nanoTime() > deadline) {
                    String log = Files.readString(dir.resolve("containerd.log"));
                    containerd.close();
                    throw new AssertionError("containerd did not start: " + log);
                }
                Thread.sleep(50);
            }
            return containerd;
        }

        /** ctr, talking to this containerd, in the tests' namespace. */
        List<String> ctr(String... args) {
            List<String> command = new ArrayList<>(List.of("ctr", "--address", dir.resolve("containerd.sock").toString(),
                    "--namespace", NAMESPACE));
            command.addAll(List.of(args));
            return command;
        }

        /**
         * ctr run of container {@code id} through the runtime, with the runtime's state
         * (--runc-root), the I/O fifos and the container's cgroup all in the test's own places.
         */
        List<String> run(String id, List<String> options, String... command) {
            List<String> run = new ArrayList<>(List.of("run", "--runtime", "io.containerd.runc.v2",
                    "--runc-binary", runtime().toString(), "--runc-root", dir.resolve("runtime").toString(),
                    "--fifo-dir", dir.resolve("fifo").toString(), "--cgroup", cgroupParent() + "/" + id));
            run.addAll(options);
            run.add(IMAGE);
            run.add(id);
            run.addAll(List.of(command));
            return ctr(run.toArray(String[]::new));
        }

        /** ctr tasks exec of {@code command} in the running container {@code id}, its fifos in the test's place. */
        List<String> taskExec(String id, String execId, String... command) {
            List<String> exec = new ArrayList<>(List.of("tasks", "exec", "--fifo-dir", dir.resolve("fifo").toString(),
                    "--exec-id", execId, id));
            exec.addAll(List.of(command));
            return ctr(exec.toArray(String[]::new));
        }

        /** What this containerd made outside its directory and close() could not remove. */
        List<Path> traces() {
            return madeShimSockets && Files.exists(SHIM_SOCKETS) ? List.of(SHIM_SOCKETS) : List.of();
        }

        /** The cgroup every container's goes below, removed at close. */
        String cgroupParent() {
            return "/" + dir.getFileName();
        }

        Path dir() {
            return dir;
        }

        void importImage() throws IOException {
            Path archive = OciArchive.write(busyboxTar(dir), dir.resolve("image"), IMAGE);
            succeed(ctr("images", "import", archive.toString()));
        }

        /** The shims still running for this containerd (their command line names its socket). */
        List<ProcessHandle> shims() {
            return processesMentioning(dir.resolve("containerd.sock").toString()).stream()
                    .filter(p -> p.info().command().map(c -> c.endsWith("containerd-shim-runc-v2")).orElse(false))
                    .toList();
        }

        @Override
        public void close() {
            removeCgroups(cgroupParent());
            daemon.destroy();
            try {
                if (!daemon.waitFor(10, TimeUnit.SECONDS)) {
                    daemon.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            killAll(processesMentioning(dir.toString()));
            removeTree(dir);
            if (madeShimSockets) {
                // only what the shims made, and only if they left it empty
                Stream.of("s", "").map(SHIM_SOCKETS::resolve).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * An OCI image layout archive (oci-layout, index.json, blobs/sha256/...) of one
     * uncompressed layer, as `ctr images import` takes it: the manifest, the config and the
     * layer named by their sha256 digests.
     */
    static final class OciArchive {
        private OciArchive() {
        }

        static Path write(Path layer, Path layout, String name) throws IOException {
            Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
            String layerDigest = digest(Files.readAllBytes(layer));
            long layerSize = Files.size(layer);
            Files.move(layer, blobs.resolve(layerDigest.substring("sha256:".length())));
            String config = """
                    {"architecture":"%s","os":"linux","config":{"Env":["PATH=/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh"]},\
                    "rootfs":{"type":"layers","diff_ids":["%s"]}}""".formatted(architecture(), layerDigest);
            String configDigest = blob(blobs, config);
            String manifest = """
                    {"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                    "config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%d},\
                    "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"%s","size":%d}]}"""
                    .formatted(configDigest, config.length(), layerDigest, layerSize);
            String manifestDigest = blob(blobs, manifest);
            Files.writeString(layout.resolve("index.json"), """
                    {"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",\
                    "digest":"%s","size":%d,"annotations":{"io.containerd.image.name":"%s"}}]}"""
                    .formatted(manifestDigest, manifest.length(), name));
            Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
            Path archive = layout.resolveSibling(layout.getFileName() + ".tar");
            succeed(List.of("tar", "-C", layout.toString(), "-cf", archive.toString(), "oci-layout", "index.json", "blobs"));
            return archive;
        }

        /** The image's architecture as OCI names it, which ctr matches against this machine's. */
        private static String architecture() {
            String arch = System.getProperty("os.arch");
            return switch (arch) {
                case "amd64", "x86_64" -> "amd64";
                case "aarch64" -> "arm64";
                default -> arch;
            };
        }

        /** Stores an ASCII JSON blob under its digest, which it returns. */
        private static String blob(Path blobs, String json) throws IOException {
            byte[] bytes = json.getBytes(StandardCharsets.US_ASCII);
            String digest = digest(bytes);
            Files.write(blobs.resolve(digest.substring("sha256:".length())), bytes);
            return digest;
        }

        private static String digest(byte[] bytes) {
            try {
                return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
