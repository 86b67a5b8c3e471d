package dev.isolate.spec;

import static dev.isolate.linux.Linux.MOUNT_ATTR_RDONLY;

import dev.isolate.exit.Failure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A mount made in the container's root filesystem; destinations are paths inside it.
 * Attributes are mount_setattr(2)'s MOUNT_ATTR_* bits (read-only, nosuid, nodev, noexec and
 * the access-time rule), which every kind of mount takes the same way.
 */
public sealed interface Mount {
    String destination();

    /**
     * A host file or directory made visible inside.
     *
     * @param recursive with whatever is mounted below it (rbind), or that mount alone (bind)
     */
    record Bind(String source, String destination, boolean recursive, long attributes) implements Mount {
        public Bind {
            if (source.isEmpty()) {
                throw Failure.input("bind: the source path is empty");
            }
            CStrings.requireNoNul("bind source", source);
            destination = ContainerPath.normalize("bind destination", destination);
        }

        /** The command line's bind: recursive, and read-only or not. */
        public Bind(String source, String destination, boolean readOnly) {
            this(source, destination, true, readOnly ? MOUNT_ATTR_RDONLY : 0);
        }

        public boolean readOnly() {
            return (attributes & MOUNT_ATTR_RDONLY) != 0;
        }
    }

    /** A fresh tmpfs, world-writable with the sticky bit like /tmp; {@code size} as tmpfs takes it. */
    record Tmpfs(String destination, Optional<String> size) implements Mount {
        /** Bytes with an optional k/m/g suffix, or a percentage of memory. */
        private static final Pattern SIZE = Pattern.compile("[1-9][0-9]{0,17}[kKmMgG]?|[1-9][0-9]?%|100%");

        public Tmpfs {
            destination = ContainerPath.normalize("tmpfs destination", destination);
            size.ifPresent(s -> {
                if (!SIZE.matcher(s).matches()) {
                    throw Failure.input("tmpfs size \"" + s + "\": use a number of bytes with an optional"
                            + " k, m or g suffix, or a percentage of memory such as 10%");
                }
            });
        }
    }

    /**
     * A new instance of a kernel filesystem, as an OCI bundle lists them.
     *
     * @param flags   the filesystem's options without a value (devpts's newinstance), as fsconfig sets them
     * @param options its options with a value (mode, size, gid, ptmxmode...), in order
     */
    record Filesystem(String type, String destination, long attributes, List<String> flags,
            Map<String, String> options) implements Mount {
        /** The types a container may mount afresh: each is namespaced or harmless. */
        public static final Set<String> TYPES = Set.of("proc", "sysfs", "tmpfs", "devpts", "mqueue");

        public Filesystem {
            if (!TYPES.contains(type)) {
                throw Failure.input("mount type \"" + type + "\": isolate mounts " + String.join(", ",
                        TYPES.stream().sorted().toList()) + ", cgroup and binds");
            }
            destination = ContainerPath.normalize(type + " destination", destination);
            flags = List.copyOf(flags);
            options = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(options));
            flags.forEach(flag -> CStrings.requireNoNul(type + " option", flag));
            options.forEach((key, value) -> {
                CStrings.requireNoNul(type + " option", key);
                CStrings.requireNoNul(type + " option " + key, value);
            });
        }
    }

    /**
     * The container's own cgroup at {@code destination} (as a cgroup mount of an OCI bundle
     * asks), shown as a root filesystem's /sys/fs/cgroup shows it: read-only, nothing of the
     * host's.
     */
    record Cgroups(String destination) implements Mount {
        public Cgroups {
            destination = ContainerPath.normalize("cgroup destination", destination);
        }
    }
}
