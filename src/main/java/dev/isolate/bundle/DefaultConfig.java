package dev.isolate.bundle;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Capability;
import dev.isolate.spec.RootFilesystem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The config.json {@code isolate-runtime spec} writes: runc's default layout (a root at
 * rootfs, sh on a terminal, the kernel filesystems a container expects) with isolate's
 * contained defaults (its capability set, moby's masked and read-only paths). No seccomp
 * filter is written: isolate's default profile is docker's JSON, which it keeps to itself.
 */
public final class DefaultConfig {
    private static final String PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private DefaultConfig() {
    }

    /**
     * @param rootless for an unprivileged caller: a user namespace in which root is the caller,
     *                 no devpts gid that is not mapped, and no cgroup limits
     */
    public static String json(boolean rootless) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("ociVersion", Supported.OCI_VERSION_MAX);
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("terminal", true);
        process.put("user", map("uid", 0, "gid", 0));
        process.put("args", List.of("sh"));
        process.put("env", List.of(PATH, "TERM=xterm"));
        process.put("cwd", "/");
        List<String> capabilities = Capability.CONTAINED.stream().map(Capability::toString).toList();
        process.put("capabilities", map("bounding", capabilities, "effective", capabilities, "permitted",
                capabilities));
        process.put("rlimits", List.of(map("type", "RLIMIT_NOFILE", "hard", 1024, "soft", 1024)));
        process.put("noNewPrivileges", true);
        config.put("process", process);
        config.put("root", map("path", "rootfs", "readonly", true));
        config.put("hostname", "isolate");
        config.put("mounts", mounts(rootless));
        Map<String, Object> linux = new LinkedHashMap<>();
        List<Object> namespaces = new ArrayList<>();
        for (String type : List.of("pid", "network", "ipc", "uts", "mount")) {
            namespaces.add(map("type", type));
        }
        if (rootless) {
            namespaces.add(map("type", "user"));
            long[] ids = callerIds();
            linux.put("uidMappings", List.of(map("containerID", 0, "hostID", ids[0], "size", 1)));
            linux.put("gidMappings", List.of(map("containerID", 0, "hostID", ids[1], "size", 1)));
        } else {
            linux.put("resources", map("devices", List.of(map("allow", false, "access", "rwm"))));
        }
        linux.put("namespaces", namespaces);
        linux.put("maskedPaths", RootFilesystem.MASKED_PATHS);
        linux.put("readonlyPaths", RootFilesystem.READ_ONLY_PATHS);
        config.put("linux", linux);
        try {
            return JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT).asString(config) + "\n";
        } catch (IOException e) {
            // Maps, lists, strings, numbers and booleans always write.
            throw new UncheckedIOException(e);
        }
    }

    /** runc's list, in its order. */
    private static List<Object> mounts(boolean rootless) {
        List<String> devpts = new ArrayList<>(List.of("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"));
        if (!rootless) {
            devpts.add("gid=5"); // tty, which a rootless container has not mapped
        }
        return List.of(
                mount("/proc", "proc", "proc", List.of()),
                mount("/dev", "tmpfs", "tmpfs", List.of("nosuid", "strictatime", "mode=755", "size=65536k")),
                mount("/dev/pts", "devpts", "devpts", devpts),
                mount("/dev/shm", "tmpfs", "shm", List.of("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")),
                mount("/dev/mqueue", "mqueue", "mqueue", List.of("nosuid", "noexec", "nodev")),
                mount("/sys", "sysfs", "sysfs", List.of("nosuid", "noexec", "nodev", "ro")),
                mount("/sys/fs/cgroup", "cgroup", "cgroup", List.of("nosuid", "noexec", "nodev", "relatime", "ro")));
    }

    private static Map<String, Object> mount(String destination, String type, String source, List<String> options) {
        return map("destination", destination, "type", type, "source", source, "options", options);
    }

    /** In the order given, which Map.of would not keep. */
    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    /** The caller's uid and gid: /proc/self belongs to them. */
    private static long[] callerIds() {
        Path self = Path.of("/proc/self");
        try {
            return new long[] {((Number) Files.getAttribute(self, "unix:uid")).longValue(),
                    ((Number) Files.getAttribute(self, "unix:gid")).longValue()};
        } catch (IOException e) {
            throw Failure.step("cannot read the caller's ids from " + self + ": " + Failure.reason(e));
        }
    }
}
