package dev.isolate.host.cgroup;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.state.ProcessIdentity;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * isolate gc in the cgroup hierarchies: the cgroups of containers whose isolate was killed
 * before it could remove them. A container's leaf is named after its isolate
 * ({@link ContainerCgroup#leafName}); one whose isolate has ended is an orphan, and whatever
 * still runs in it (what COMMAND forked, which the parent-death signal does not reach) is
 * killed and the leaf removed, as the isolate would have done.
 *
 * <p>Only leaves are touched, only those whose name is exactly one isolate makes, and only
 * the caller's own: below the directory it may make cgroups in (a hierarchy's root for root,
 * the subtree delegated to the caller on cgroup v2 otherwise), in the default parent or in a
 * parent that one of the caller's container records names, and owned by the caller.
 */
public final class OrphanCgroups {
    private OrphanCgroups() {
    }

    /**
     * A directory whose children may be leaves.
     *
     * @param base where the caller may make cgroups in this hierarchy (see {@link ContainerCgroup.Leaf#base})
     */
    private record Parent(Hierarchies.Hierarchy hierarchy, Path base, Path directory) {
    }

    /**
     * Kills what runs in every orphaned leaf and removes it, then the default parent of each
     * hierarchy if nothing else is left in it.
     *
     * @param recorded the cgroup directories of the caller's named containers, as their records
     *                 hold them: their parents are searched too, since --cgroup-parent puts leaves
     *                 elsewhere; anything there that is not a leaf below the caller's base is ignored
     * @param removed  told of each directory as it is removed
     * @throws Failure the first leaf that could not be emptied or removed, once all were tried
     */
    public static void collect(Caller caller, Hierarchies hierarchies, List<String> recorded, Consumer<Path> removed) {
        Map<Path, Parent> parents = new LinkedHashMap<>();
        List<Path> defaults = new ArrayList<>();
        for (Hierarchies.Hierarchy h : hierarchies.all()) {
            base(h, caller).ifPresent(base -> {
                Path parent = base.resolve(ContainerCgroup.DEFAULT_PARENT);
                defaults.add(parent);
                parents.put(parent, new Parent(h, base, parent));
            });
        }
        for (String leaf : recorded) {
            recordedParent(leaf, hierarchies, caller).ifPresent(p -> parents.putIfAbsent(p.directory(), p));
        }
        List<Failure> failures = new ArrayList<>();
        for (List<ContainerCgroup.Leaf> leaves : orphans(parents.values(), caller, failures).values()) {
            try {
                ContainerCgroup.killAll(leaves);
            } catch (Failure f) {
                failures.add(f);
            }
            for (ContainerCgroup.Leaf leaf : leaves) {
                try {
                    if (ContainerCgroup.removeWhenEmpty(leaf.leaf())) {
                        removed.accept(leaf.leaf());
                    }
                } catch (Failure f) {
                    failures.add(f);
                }
            }
        }
        for (Path parent : defaults) {
            if (ContainerCgroup.removeIfUnused(parent)) {
                removed.accept(parent);
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /** Where the caller may make cgroups in a hierarchy, as {@link ContainerCgroup#decide} chooses it. */
    private static Optional<Path> base(Hierarchies.Hierarchy h, Caller caller) {
        return caller.isRoot() ? Optional.of(h.mountPoint()) : ContainerCgroup.delegation(h, caller);
    }

    /**
     * The parent of a recorded leaf, if the record names a leaf of the caller's below a
     * parent of its own: an absolute path without "." or "..", strictly below the caller's
     * base in the hierarchy mounted nearest above it, in a cgroup directory there.
     */
    private static Optional<Parent> recordedParent(String recorded, Hierarchies hierarchies, Caller caller) {
        Path leaf;
        try {
            leaf = Path.of(recorded);
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        if (!leaf.isAbsolute() || !leaf.normalize().equals(leaf) || leaf.getNameCount() < 2
                || ContainerCgroup.owner(leaf.getFileName().toString()).isEmpty()) {
            return Optional.empty();
        }
        Path directory = leaf.getParent();
        Optional<Hierarchies.Hierarchy> mounted = hierarchies.all().stream()
                .filter(h -> directory.startsWith(h.mountPoint()))
                .max(Comparator.comparingInt(h -> h.mountPoint().getNameCount()));
        return mounted.flatMap(h -> base(h, caller)
                .filter(base -> directory.startsWith(base) && !directory.equals(base)
                        && Files.exists(directory.resolve("cgroup.procs"), LinkOption.NOFOLLOW_LINKS))
                .map(base -> new Parent(h, base, directory)));
    }

    /**
     * The orphaned leaves in these parents, grouped by name: one container's leaves in every
     * hierarchy, to be killed together (a freezer in one of them holds them all still).
     *
     * @param failures where a parent that cannot be read is noted, the others being searched still
     */
    private static Map<String, List<ContainerCgroup.Leaf>> orphans(Iterable<Parent> parents, Caller caller,
            List<Failure> failures) {
        Map<String, List<ContainerCgroup.Leaf>> orphans = new LinkedHashMap<>();
        for (Parent parent : parents) {
            List<String> names = new ArrayList<>();
            parent.base().relativize(parent.directory()).forEach(name -> names.add(name.toString()));
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent.directory())) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    Optional<ProcessIdentity> owner = ContainerCgroup.owner(name);
                    if (owner.isPresent() && !owner.get().alive() && ownedBy(entry, caller.uid())) {
                        orphans.computeIfAbsent(name, n -> new ArrayList<>()).add(ContainerCgroup.Leaf.found(
                                parent.hierarchy(), parent.base(), names, entry));
                    }
                }
            } catch (NoSuchFileException e) {
                // no container has a cgroup there now
            } catch (IOException e) {
                failures.add(Failure.step("cgroup " + parent.directory() + ": " + Failure.reason(e)));
            }
        }
        return orphans;
    }

    /**
     * A directory the caller made: mkdir gives it to its maker, and no one but root can give
     * one to someone else. The kernel's files in it are the directory's owner's too.
     */
    private static boolean ownedBy(Path directory, long uid) {
        try {
            return Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS) && ((Number) Files.getAttribute(directory,
                    "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue() == uid;
        } catch (IOException e) {
            return false;
        }
    }
}
