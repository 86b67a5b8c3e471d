package dev.isolate.bundle;

import static dev.isolate.linux.Linux.MOUNT_ATTR_NOATIME;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NODEV;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NODIRATIME;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NOEXEC;
import static dev.isolate.linux.Linux.MOUNT_ATTR_NOSUID;
import static dev.isolate.linux.Linux.MOUNT_ATTR_RDONLY;
import static dev.isolate.linux.Linux.MOUNT_ATTR_STRICTATIME;

import dev.isolate.spec.Namespace;
import dev.isolate.spec.Propagation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What isolate accepts in a config.json, stated once: {@link BundleConfig#read} checks against
 * these and {@link Features} lists them, so the two cannot disagree.
 */
final class Supported {
    private Supported() {
    }

    static final String OCI_VERSION_MIN = "1.0.0";
    static final String OCI_VERSION_MAX = "1.2.0";

    /**
     * The hooks isolate runs. createContainer and startContainer run inside the container's
     * namespaces, which isolate's child cannot stop for yet.
     */
    static final List<String> HOOKS = List.of("prestart", "createRuntime", "poststart", "poststop");

    /** The namespaces by the spec's names, in its order. */
    static final Map<String, Namespace> NAMESPACES = namespaces();

    /** linux.rootfsPropagation: applied to the whole of the container's copy of the host's tree. */
    static final Map<String, Propagation> ROOTFS_PROPAGATION = Map.of("private", Propagation.PRIVATE, "rprivate",
            Propagation.PRIVATE, "slave", Propagation.SLAVE, "rslave", Propagation.SLAVE, "shared",
            Propagation.SHARED, "rshared", Propagation.SHARED);

    /** The architectures of a filter libseccomp builds on x86-64: the native one and the two it runs. */
    static final List<String> SECCOMP_ARCHES = List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32");

    /** A mount option and what it does to mount_setattr(2)'s attributes. */
    record AttributeOption(String name, long set, long clear) {
    }

    /** Access-time rules replace one another; relatime (0) is the kernel's default, and norelatime leaves it. */
    static final long ATIME_MASK = MOUNT_ATTR_NOATIME | MOUNT_ATTR_STRICTATIME;

    static final List<AttributeOption> ATTRIBUTE_OPTIONS = List.of(
            new AttributeOption("ro", MOUNT_ATTR_RDONLY, 0), new AttributeOption("rw", 0, MOUNT_ATTR_RDONLY),
            new AttributeOption("nosuid", MOUNT_ATTR_NOSUID, 0), new AttributeOption("suid", 0, MOUNT_ATTR_NOSUID),
            new AttributeOption("nodev", MOUNT_ATTR_NODEV, 0), new AttributeOption("dev", 0, MOUNT_ATTR_NODEV),
            new AttributeOption("noexec", MOUNT_ATTR_NOEXEC, 0), new AttributeOption("exec", 0, MOUNT_ATTR_NOEXEC),
            new AttributeOption("relatime", 0, ATIME_MASK), new AttributeOption("norelatime", 0, ATIME_MASK),
            new AttributeOption("strictatime", MOUNT_ATTR_STRICTATIME, ATIME_MASK),
            new AttributeOption("noatime", MOUNT_ATTR_NOATIME, ATIME_MASK),
            new AttributeOption("nodiratime", MOUNT_ATTR_NODIRATIME, 0));

    /** bind and rbind make a bind mount; rbind takes what is mounted below the source too. */
    static final List<String> BIND_OPTIONS = List.of("bind", "rbind");

    /** Every mount isolate makes for a container is private already. */
    static final List<String> PROPAGATION_OPTIONS = List.of("private", "rprivate");

    /** A kernel filesystem's own options: without a value, and with one (key=value). */
    static final List<String> FILESYSTEM_FLAGS = List.of("newinstance");
    /** A tmpfs filled with what the image has at its destination: taken where that is nothing (see Mounts). */
    static final String COPY_UP = "tmpcopyup";
    static final List<String> FILESYSTEM_KEYS = List.of("mode", "size", "uid", "gid", "ptmxmode", "nr_inodes");

    /** The options without a value, as features lists them (runc's list has no key=value options either). */
    static List<String> mountOptions() {
        List<String> names = new ArrayList<>();
        ATTRIBUTE_OPTIONS.forEach(option -> names.add(option.name()));
        names.addAll(BIND_OPTIONS);
        names.addAll(PROPAGATION_OPTIONS);
        names.addAll(FILESYSTEM_FLAGS);
        names.add(COPY_UP);
        return names;
    }

    static final Set<String> CGROUP_MOUNT_TYPES = Set.of("cgroup", "cgroup2");

    private static Map<String, Namespace> namespaces() {
        Map<String, Namespace> byName = new LinkedHashMap<>();
        byName.put("pid", Namespace.PID);
        byName.put("network", Namespace.NET);
        byName.put("mount", Namespace.MOUNT);
        byName.put("ipc", Namespace.IPC);
        byName.put("uts", Namespace.UTS);
        byName.put("user", Namespace.USER);
        byName.put("cgroup", Namespace.CGROUP);
        byName.put("time", Namespace.TIME);
        return Collections.unmodifiableMap(byName);
    }
}
