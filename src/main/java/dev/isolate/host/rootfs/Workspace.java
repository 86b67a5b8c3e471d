package dev.isolate.host.rootfs;

import dev.isolate.dryrun.HostAction;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.state.RuntimeDirectory;
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
    public record Decision(RootfsLayout layout, Optional<ImageCache.Entry> unpack, Optional<Path> keptUpper,
            Optional<Path> scratch) {
        /** What {@link #prepare} would do, in its order. */
        public List<HostAction> actions() {
            List<HostAction> actions = new ArrayList<>();
            unpack.ifPresent(entry -> actions.add(HostAction.before("unpack the archive " + entry.archive()
                    + " into the image cache", entry.unpacking())));
            keptUpper.ifPresent(dir -> actions.add(HostAction.before("the overlay's kept layers",
                    List.of("mkdir -p " + dir.resolve("upper"), "mkdir -p " + dir.resolve("work")))));
            scratch.ifPresent(dir -> actions.add(HostAction.before("the overlay's scratch directory, removed"
                    + " when the container ends", List.of("mkdir -m 700 " + dir))));
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
        Path path = Path.of(rootfs.image());
        Optional<ImageCache.Entry> archive = archive(path, uid, environment);
        String image = archive.map(entry -> entry.rootfs().toString()).orElseGet(() -> directory(path));
        List<Mount> mounts = new ArrayList<>();
        Set<String> fileSources = new HashSet<>();
        for (Mount mount : rootfs.mounts()) {
            if (mount instanceof Mount.Bind bind && ownFiles.contains(bind.source())) {
                fileSources.add(bind.source());
                mounts.add(bind);
            } else if (mount instanceof Mount.Bind bind) {
                String source = realPath(Path.of(bind.source()), "bind source " + bind.source());
                if (!Files.isDirectory(Path.of(source))) {
                    fileSources.add(source);
                }
                mounts.add(new Mount.Bind(source, bind.destination(), bind.readOnly()));
            } else {
                mounts.add(mount);
            }
        }
        Optional<Path> scratch = Optional.empty();
        Optional<Path> keptUpper = Optional.empty();
        Optional<RootfsLayout.Overlay> overlay = Optional.empty();
        if (rootfs.overlay().isPresent()) {
            Optional<String> upper = rootfs.overlay().get().upper();
            if (upper.isPresent()) {
                Path dir = realPathOfExisting(Path.of(upper.get()), "overlay upper " + upper.get());
                keptUpper = Optional.of(dir);
                overlay = Optional.of(new RootfsLayout.Overlay(Optional.empty(), dir.resolve("upper").toString(),
                        dir.resolve("work").toString()));
            } else {
                Path dir = RuntimeDirectory.ownEntryPath(uid, environment, RuntimeDirectory.Owned.OVERLAY);
                scratch = Optional.of(dir);
                overlay = Optional.of(new RootfsLayout.Overlay(Optional.of(dir.toString()),
                        dir.resolve("upper").toString(), dir.resolve("work").toString()));
            }
        }
        List<String> privateMountPoints = new ArrayList<>();
        if (propagation == Propagation.SHARED || propagation == Propagation.UNCHANGED) {
            String mountinfo = read(Path.of("/proc/self/mountinfo"));
            Set<String> points = new LinkedHashSet<>();
            MountPoints.containing(image, mountinfo).ifPresent(points::add);
            scratch.flatMap(dir -> MountPoints.containing(dir.toString(), mountinfo)).ifPresent(points::add);
            privateMountPoints.addAll(points);
        }
        Set<String> procEntries = new HashSet<>();
        for (String entry : Stream.concat(RootFilesystem.READ_ONLY_PROC.stream(), RootFilesystem.MASKED_PROC.stream())
                .toList()) {
            if (Files.exists(Path.of("/proc", entry), LinkOption.NOFOLLOW_LINKS)) {
                procEntries.add(entry);
            }
        }
        return new Decision(new RootfsLayout(image, rootfs.readOnly(), overlay, mounts, fileSources,
                privateMountPoints, procEntries), archive.filter(entry -> !entry.unpacked()), keptUpper, scratch);
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
    private static Optional<ImageCache.Entry> archive(Path path, long uid, Map<String, String> environment) {
        if (!Files.exists(path)) {
            throw Failure.input("rootfs " + path + ": no such file or directory");
        }
        if (Files.isRegularFile(path) && ImageCache.isArchive(path)) {
            return Optional.of(new ImageCache(ImageCache.defaultRoot(uid, environment)).locate(path));
        }
        return Optional.empty();
    }

    private static String directory(Path path) {
        if (!Files.isDirectory(path)) {
            throw Failure.input("rootfs " + path + ": not a directory, nor a .tar, .tar.gz or .tgz archive");
        }
        return realPath(path, "rootfs " + path);
    }

    private static void makeKeptUpper(Path dir) {
        try {
            Files.createDirectories(dir.resolve("upper"));
            Files.createDirectories(dir.resolve("work"));
        } catch (IOException e) {
            throw Failure.input("overlay upper " + dir + ": " + Failure.reason(e));
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
            throw Failure.step("overlay scratch directory " + dir + ": " + Failure.reason(e));
        }
    }

    private static String realPath(Path path, String what) {
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            throw Failure.input(what + ": " + Failure.reason(e));
        }
    }

    /**
     * The real path a directory will have once made: that of its deepest existing ancestor,
     * then the names still to be made (which, not existing, are no links).
     */
    private static Path realPathOfExisting(Path path, String what) {
        Path absolute = path.toAbsolutePath().normalize();
        Path existing = absolute;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return absolute;
        }
        return Path.of(realPath(existing, what)).resolve(existing.relativize(absolute));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
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
