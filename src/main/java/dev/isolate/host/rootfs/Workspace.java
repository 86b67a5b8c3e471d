package dev.isolate.host.rootfs;

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
     * @param uid         the caller's uid: root keeps its cache and scratch space under /var/lib
     *                    and /run, others under their XDG directories
     * @param environment isolate's own environment, for those XDG directories
     * @throws Failure when the image or a bind source is missing or unusable
     */
    public static Workspace prepare(RootFilesystem rootfs, Propagation propagation, long uid,
            Map<String, String> environment) {
        String image = image(rootfs.image(), uid, environment);
        List<Mount> mounts = new ArrayList<>();
        Set<String> fileSources = new HashSet<>();
        for (Mount mount : rootfs.mounts()) {
            if (mount instanceof Mount.Bind bind) {
                try (OpenedPath source = OpenedPath.open(bind.source(), "bind source " + bind.source())) {
                    if (!Files.isDirectory(source.view())) {
                        fileSources.add(source.realPath());
                    }
                    mounts.add(new Mount.Bind(source.realPath(), bind.destination(), bind.readOnly()));
                }
            } else {
                mounts.add(mount);
            }
        }
        Optional<Path> scratch = Optional.empty();
        Optional<RootfsLayout.Overlay> overlay = Optional.empty();
        if (rootfs.overlay().isPresent()) {
            Optional<String> upper = rootfs.overlay().get().upper();
            if (upper.isPresent()) {
                String dir = keptUpper(upper.get());
                overlay = Optional.of(new RootfsLayout.Overlay(Optional.empty(), dir + "/upper", dir + "/work"));
            } else {
                Path dir = scratchDirectory(uid, environment);
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
        Set<String> procEntries = new HashSet<>();
        for (String entry : Stream.concat(RootFilesystem.READ_ONLY_PROC.stream(), RootFilesystem.MASKED_PROC.stream())
                .toList()) {
            if (Files.exists(Path.of("/proc", entry), LinkOption.NOFOLLOW_LINKS)) {
                procEntries.add(entry);
            }
        }
        return new Workspace(new RootfsLayout(image, rootfs.readOnly(), overlay, mounts, fileSources,
                privateMountPoints, procEntries), scratch);
    }

    /** The directory to use as the root: the path itself, or an archive's unpacked copy. */
    private static String image(String path, long uid, Map<String, String> environment) {
        try (OpenedPath image = OpenedPath.open(path, "rootfs " + path)) {
            if (Files.isRegularFile(image.view()) && ImageCache.isArchive(path)) {
                return ByteStrings.of(new ImageCache(ImageCache.defaultRoot(uid, environment))
                        .unpacked(image.view(), path));
            }
            if (!Files.isDirectory(image.view())) {
                throw Failure.input("rootfs " + path + ": not a directory, nor a .tar, .tar.gz or .tgz archive");
            }
            return image.realPath();
        }
    }

    /** DIR with its upper/ and work/ made if need be; its real path. */
    private static String keptUpper(String dir) {
        String what = "overlay upper " + dir;
        OpenedPath.createDirectories(dir, 0777, what);
        try (OpenedPath opened = OpenedPath.open(dir, what)) {
            Files.createDirectories(opened.view().resolve("upper"));
            Files.createDirectories(opened.view().resolve("work"));
            return opened.realPath();
        } catch (IOException e) {
            throw Failure.input(what + ": " + Failure.reason(e));
        }
    }

    /**
     * A fresh empty directory under /run/isolate (root) or $XDG_RUNTIME_DIR/isolate, named
     * after this isolate, so that one left by an isolate that was killed is found and removed.
     */
    private static Path scratchDirectory(long uid, Map<String, String> environment) {
        Path dir = RuntimeDirectory.ownEntry(uid, environment, RuntimeDirectory.Owned.OVERLAY);
        try {
            return Files.createDirectory(dir);
        } catch (IOException e) {
            throw Failure.step("overlay scratch directory " + ByteStrings.of(dir) + ": " + Failure.reason(e));
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
