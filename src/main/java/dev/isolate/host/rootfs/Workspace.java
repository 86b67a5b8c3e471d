package dev.isolate.host.rootfs;

import dev.isolate.dryrun.HostAction;
import dev.isolate.exit.Failure;
import dev.isolate.host.OpenedPath;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.state.RuntimeDirectory;
import dev.isolate.sys.ByteStrings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * What a root filesystem needs on the host while its container runs: the image directory
 * (unpacked from an archive if need be), checked bind sources, and for a throw-away overlay
 * an empty directory that the child covers with a tmpfs. Closing it removes that directory.
 *
 * <p>{@link #decide} works out all of it by reading only; {@link #prepare} makes what was
 * decided, and a dry run shows it ({@link Decision#actions}).
 *
 * <p>The user's paths are byte strings (sys.ByteStrings), reached through {@link OpenedPath}
 * whatever their bytes, and the layout holds byte strings: the child's steps name them.
 */
public final class Workspace implements AutoCloseable {
    private final RootfsLayout layout;
    private final Optional<Path> scratch;

    private Workspace(RootfsLayout layout, Optional<Path> scratch) {
        this.layout = layout;
        this.scratch = scratch;
    }

    public RootfsLayout layout() {
        return layout;
    }

    /**
     * What the host would make for a root filesystem, found by reading only.
     *
     * @param layout    the root filesystem as the child's steps will see it
     * @param unpack    the archive to unpack into the image cache, when no run has yet
     * @param keptUpper {@code --overlay-upper}'s directory, whose upper and work are made if missing
     * @param scratch   the empty directory a throw-away overlay's tmpfs goes on
     */
    public record Decision(RootfsLayout layout, Optional<ImageCache.Entry> unpack, Optional<String> keptUpper,
            Optional<Path> scratch) {
        /** What {@link #prepare} would do, in its order. */
        public List<HostAction> actions() {
            List<HostAction> actions = new ArrayList<>();
            unpack.ifPresent(entry -> actions.add(HostAction.before("unpack the archive " + entry.archive()
                    + " into the image cache", entry.unpacking())));
            keptUpper.ifPresent(dir -> actions.add(HostAction.before("the overlay's kept layers",
                    List.of("mkdir -p " + dir + "/upper", "mkdir -p " + dir + "/work"))));
            scratch.ifPresent(dir -> actions.add(HostAction.before("the overlay's scratch directory, removed"
                    + " when the container ends", List.of("mkdir -m 700 " + ByteStrings.of(dir)))));
            return actions;
        }
    }

    /**
     * @param uid         the caller's uid: root keeps its cache and scratch space under /var/lib
     *                    and /run, others under their XDG directories
     * @param environment isolate's own environment, for those XDG directories
     * @param ownFiles    bind sources that the launch makes itself, files at these very paths
     *                    (--dns's resolv.conf), which a dry run does not make
     * @throws Failure when the image or a bind source is missing or unusable
     */
    public static Decision decide(RootFilesystem rootfs, Propagation propagation, long uid,
            Map<String, String> environment, Set<String> ownFiles) {
        String path = rootfs.image();
        Optional<ImageCache.Entry> archive = archive(path, uid, environment);
        String image = archive.map(entry -> ByteStrings.of(entry.rootfs())).orElseGet(() -> directory(path));
        List<Mount> mounts = new ArrayList<>();
        Set<String> fileSources = new HashSet<>();
        for (Mount mount : rootfs.mounts()) {
            if (mount instanceof Mount.Bind bind && ownFiles.contains(bind.source())) {
                fileSources.add(bind.source());
                mounts.add(bind);
            } else if (mount instanceof Mount.Bind bind) {
                try (OpenedPath source = OpenedPath.open(bind.source(), "bind source " + bind.source())) {
                    if (!Files.isDirectory(source.view())) {
                        fileSources.add(source.realPath());
                    }
                    mounts.add(new Mount.Bind(source.realPath(), bind.destination(), bind.recursive(),
                            bind.attributes()));
                }
            } else {
                mounts.add(mount);
            }
        }
        Optional<Path> scratch = Optional.empty();
        Optional<String> keptUpper = Optional.empty();
        Optional<RootfsLayout.Overlay> overlay = Optional.empty();
        if (rootfs.overlay().isPresent()) {
            Optional<String> upper = rootfs.overlay().get().upper();
            if (upper.isPresent()) {
                String dir = realPathOfExisting(upper.get(), "overlay upper " + upper.get());
                keptUpper = Optional.of(dir);
                overlay = Optional.of(new RootfsLayout.Overlay(Optional.empty(), dir + "/upper", dir + "/work"));
            } else {
                Path dir = RuntimeDirectory.ownEntryPath(uid, environment, RuntimeDirectory.Owned.OVERLAY);
                scratch = Optional.of(dir);
                String bytes = ByteStrings.of(dir);
                overlay = Optional.of(new RootfsLayout.Overlay(Optional.of(bytes), bytes + "/upper", bytes + "/work"));
            }
        }
        List<String> privateMountPoints = new ArrayList<>();
        if (propagation == Propagation.SHARED || propagation == Propagation.UNCHANGED) {
            String mountinfo = read(Path.of("/proc/self/mountinfo"));
            Set<String> points = new LinkedHashSet<>();
            MountPoints.containing(image, mountinfo).ifPresent(points::add);
            scratch.flatMap(dir -> MountPoints.containing(ByteStrings.of(dir), mountinfo)).ifPresent(points::add);
            privateMountPoints.addAll(points);
        }
        // The container's /proc and /sys show the same kernel's entries as the host's.
        Set<String> kernelFiles = new HashSet<>();
        Set<String> kernelDirectories = new HashSet<>();
        List<String> readOnlyPaths = rootfs.bundle().map(RootFilesystem.Bundle::readOnlyPaths)
                .orElse(RootFilesystem.READ_ONLY_PATHS);
        List<String> maskedPaths = rootfs.bundle().map(RootFilesystem.Bundle::maskedPaths)
                .orElse(RootFilesystem.MASKED_PATHS);
        for (String kernelPath : Stream.concat(readOnlyPaths.stream(), maskedPaths.stream()).toList()) {
            // A bundle may list paths of its image too, which are looked for there (only to
            // decide; the mounts themselves resolve inside the root).
            Path seen = kernelPath.startsWith("/proc/") || kernelPath.startsWith("/sys/") ? Path.of(kernelPath)
                    : Path.of(image + kernelPath);
            if (Files.exists(seen, LinkOption.NOFOLLOW_LINKS)) {
                kernelFiles.add(kernelPath);
                if (Files.isDirectory(seen, LinkOption.NOFOLLOW_LINKS)) {
                    kernelDirectories.add(kernelPath);
                }
            }
        }
        return new Decision(new RootfsLayout(image, rootfs.readOnly(), overlay, mounts, fileSources,
                privateMountPoints, kernelFiles, kernelDirectories, rootfs.bundle()), archive.filter(entry -> !entry.unpacked()), keptUpper, scratch);
    }

    /**
     * Makes what was decided: the image unpacked, the overlay's directories.
     *
     * @throws Failure when the host refuses
     */
    public static Workspace prepare(Decision decision, long uid, Map<String, String> environment) {
        decision.unpack().ifPresent(entry -> new ImageCache(ImageCache.defaultRoot(uid, environment)).unpacked(entry));
        decision.keptUpper().ifPresent(Workspace::makeKeptUpper);
        decision.scratch().ifPresent(dir -> makeScratch(dir, uid, environment));
        return new Workspace(decision.layout(), decision.scratch());
    }

    /** An archive's place in the image cache, when the image is one. */
    private static Optional<ImageCache.Entry> archive(String path, long uid, Map<String, String> environment) {
        try (OpenedPath image = OpenedPath.open(path, "rootfs " + path)) {
            if (Files.isRegularFile(image.view()) && ImageCache.isArchive(path)) {
                return Optional.of(new ImageCache(ImageCache.defaultRoot(uid, environment)).locate(path));
            }
            return Optional.empty();
        }
    }

    private static String directory(String path) {
        try (OpenedPath image = OpenedPath.open(path, "rootfs " + path)) {
            if (!Files.isDirectory(image.view())) {
                throw Failure.input("rootfs " + path + ": not a directory, nor a .tar, .tar.gz or .tgz archive");
            }
            return image.realPath();
        }
    }

    /** DIR with its upper/ and work/ made if need be. */
    private static void makeKeptUpper(String dir) {
        String what = "overlay upper " + dir;
        OpenedPath.createDirectories(dir, 0777, what);
        try (OpenedPath opened = OpenedPath.open(dir, what)) {
            Files.createDirectories(opened.view().resolve("upper"));
            Files.createDirectories(opened.view().resolve("work"));
        } catch (IOException e) {
            throw Failure.input(what + ": " + Failure.reason(e));
        }
    }

    /**
     * A fresh empty directory under /run/isolate (root) or $XDG_RUNTIME_DIR/isolate, named
     * after this isolate, so that one left by an isolate that was killed is found and removed.
     */
    private static void makeScratch(Path decided, long uid, Map<String, String> environment) {
        Path dir = RuntimeDirectory.ownEntry(uid, environment, RuntimeDirectory.Owned.OVERLAY);
        if (!dir.equals(decided)) {
            throw new IllegalStateException("the scratch directory moved from " + decided + " to " + dir);
        }
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw Failure.step("overlay scratch directory " + ByteStrings.of(dir) + ": " + Failure.reason(e));
        }
    }

    /**
     * The real path a directory will have once made: that of its deepest existing ancestor,
     * then the names still to be made (which, not existing, are no links).
     */
    private static String realPathOfExisting(String path, String what) {
        String missing = "";
        String existing = path;
        while (!existing.isEmpty() && !OpenedPath.exists(existing)) {
            int slash = existing.lastIndexOf('/');
            missing = existing.substring(slash + 1) + (missing.isEmpty() ? "" : "/" + missing);
            existing = slash < 0 ? "" : existing.substring(0, slash);
        }
        try (OpenedPath found = OpenedPath.open(existing.isEmpty() ? (path.startsWith("/") ? "/" : ".") : existing,
                what)) {
            String real = found.realPath();
            return missing.isEmpty() ? real : (real.endsWith("/") ? real : real + "/") + missing;
        }
    }

    /** As a byte string: mount points hold the bytes of their paths. */
    private static String read(Path file) {
        try {
            return ByteStrings.of(Files.readAllBytes(file));
        } catch (IOException e) {
            throw Failure.step(file + ": " + Failure.reason(e));
        }
    }

    /** Removes the scratch directory; the tmpfs on it lived only in the container's namespace. */
    @Override
    public void close() {
        scratch.ifPresent(dir -> {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                // An empty directory left behind is removed by the next run with an overlay, or gc.
            }
        });
    }
}
