package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The state directory (--root): one directory per container, named by its id. Made with mode
 * 700 when missing, and used only while it is the caller's own and writable by no one else:
 * whoever could write there could make isolate-runtime signal or delete what they chose.
 */
public final class RuntimeRoot {
    private final Path directory;
    private final long uid;

    private RuntimeRoot(Path directory, long uid) {
        this.directory = directory;
        this.uid = uid;
    }

    /**
     * The default: /run/isolate-runtime for root, $XDG_RUNTIME_DIR/isolate-runtime for others.
     * As runc decides it: rootless podman runs the runtime as uid 0 of a user namespace of its
     * own, where the host's /run is not the caller's, so there root is taken for the user it is
     * unless $USER says root.
     */
    public static Path defaultDirectory(Map<String, String> environment) {
        Optional<Path> runtime = Optional.ofNullable(environment.get("XDG_RUNTIME_DIR")).flatMap(ByteStrings::javaPath)
                .filter(Path::isAbsolute).map(dir -> dir.resolve("isolate-runtime"));
        boolean root = hostRoot() || effectiveUid() == 0 && "root".equals(environment.get("USER"));
        if (root || effectiveUid() == 0 && runtime.isEmpty()) {
            return Path.of("/run/isolate-runtime");
        }
        return runtime.orElseThrow(() -> Failure.input("state directory: XDG_RUNTIME_DIR is not set to an absolute"
                + " path; give one with --root"));
    }

    /**
     * Whether the caller is the host's root: uid 0 outside any user namespace. Rootless podman's
     * runtime is uid 0 too, of a namespace where it may make no cgroup.
     */
    static boolean hostRoot() {
        return effectiveUid() == 0 && !inUserNamespace();
    }

    /** Whether this process runs in a user namespace other than the initial one, whose map is the identity. */
    private static boolean inUserNamespace() {
        try {
            String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
            return !List.of(map.split("\\s+")).equals(List.of("0", "0", "4294967295"));
        } catch (IOException e) {
            throw Failure.step("/proc/self/uid_map: " + Failure.reason(e));
        }
    }

    /** The state directory at {@code directory}, made if need be, and checked. */
    public static RuntimeRoot at(Path directory) {
        long uid = effectiveUid();
        Path absolute = directory.toAbsolutePath().normalize();
        try {
            if (!Files.exists(absolute, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(absolute,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw Failure.step("state directory " + absolute + ": " + Failure.reason(e));
        }
        Trust.requireOwnDirectory(absolute, uid, "state directory", false);
        return new RuntimeRoot(absolute, uid);
    }

    /** geteuid(2): the owner every file isolate-runtime trusts must have. */
    static long effectiveUid() {
        return Kernel.get().call(Syscall.GETEUID);
    }

    public Path directory() {
        return directory;
    }

    long uid() {
        return uid;
    }

    /** Where the container with this id is kept: the only place a path is made from an id, after the rule. */
    Path containerDirectory(String id) {
        return directory.resolve(ContainerId.require(id));
    }

    /** The ids of the containers kept here, in the order of their names. */
    public List<String> ids() {
        List<String> ids = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory)) {
            for (Path entry : entries) {
                String name = entry.getFileName().toString();
                if (ContainerId.valid(name) && Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw Failure.step("state directory " + directory + ": " + Failure.reason(e));
        }
        ids.sort(null);
        return ids;
    }
}
