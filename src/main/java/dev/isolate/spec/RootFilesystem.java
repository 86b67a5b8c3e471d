package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tree the command sees as /: an image directory (or archive) switched to with
 * pivot_root, plus the mounts the user adds.
 *
 * @param image    a directory, or a .tar/.tar.gz archive unpacked into isolate's cache
 * @param readOnly mount the root read-only (added mounts keep their own mode)
 * @param overlay  keep the image unchanged: writes go to an overlayfs upper layer
 * @param mounts   added mounts, in the order given
 * @param bundle   present for a root an engine prepared (an OCI bundle's): its mounts are the
 *                 whole list, with none of isolate's own (/proc, /dev, /sys), and it says what
 *                 is masked, what is read-only and which devices and sysctls it gets
 */
public record RootFilesystem(String image, boolean readOnly, Optional<Overlay> overlay, List<Mount> mounts,
        Optional<Bundle> bundle) {
    /**
     * Parts of the container's /proc only the host may write (moby's list): the kernel's
     * tunables, magic SysRq, interrupt affinity, bus and filesystem settings.
     */
    public static final List<String> READ_ONLY_PATHS = List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
            "/proc/sysrq-trigger");
    /**
     * Parts hidden (moby's list): kernel memory, every key's description, timers with their owners,
     * hardware and firmware interfaces. Files are covered with /dev/null, directories with an
     * empty read-only tmpfs.
     */
    public static final List<String> MASKED_PATHS = List.of("/proc/acpi", "/proc/asound", "/proc/interrupts",
            "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
            "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    public RootFilesystem {
        if (image.isEmpty()) {
            throw Failure.input("rootfs: the path is empty");
        }
        CStrings.requireNoNul("rootfs", image);
        mounts = List.copyOf(mounts);
        if (bundle.isPresent() && overlay.isPresent()) {
            throw new IllegalArgumentException("an engine's root comes prepared: no overlay of isolate's");
        }
    }

    /** The command line's root: isolate's own /proc, /dev and /sys, then the user's mounts. */
    public RootFilesystem(String image, boolean readOnly, Optional<Overlay> overlay, List<Mount> mounts) {
        this(image, readOnly, overlay, mounts, Optional.empty());
    }

    /** The same root with these mounts made before the user's, which may cover them. */
    public RootFilesystem withMountsFirst(List<Mount> first) {
        List<Mount> all = new ArrayList<>(first);
        all.addAll(mounts);
        return new RootFilesystem(image, readOnly, overlay, all, bundle);
    }

    /**
     * What an OCI bundle asks of its root beyond its mounts, in runc's order: the default
     * devices (when /dev is a tmpfs among the mounts) and {@code devices}, the sysctls, then
     * {@code readOnlyPaths} and {@code maskedPaths}.
     *
     * @param sysctls written through the container's own /proc/sys: only namespaced ones
     */
    public record Bundle(List<String> maskedPaths, List<String> readOnlyPaths, List<Device> devices,
            Map<String, String> sysctls) {
        public Bundle {
            maskedPaths = maskedPaths.stream().map(path -> ContainerPath.normalize("maskedPaths", path)).toList();
            readOnlyPaths = readOnlyPaths.stream().map(path -> ContainerPath.normalize("readonlyPaths", path))
                    .toList();
            devices = List.copyOf(devices);
            sysctls = Collections.unmodifiableMap(new LinkedHashMap<>(sysctls));
            sysctls.forEach((key, value) -> {
                if (key.isEmpty() || key.contains("..") || key.startsWith(".") || key.startsWith("/")) {
                    throw Failure.input("sysctl \"" + key + "\": not a sysctl's name");
                }
                CStrings.requireNoNul("sysctl " + key, value);
            });
        }

        /** The file of a sysctl under /proc/sys: dots separate the levels (slashes may too, as sysctl(8) takes). */
        public static String file(String sysctl) {
            return "/proc/sys/" + sysctl.replace('.', '/');
        }
    }

    /**
     * A device node made in the container's /dev.
     *
     * @param type c (character), b (block) or p (FIFO)
     * @param mode its permission bits
     */
    public record Device(String path, char type, long major, long minor, int mode, long uid, long gid) {
        public Device {
            path = ContainerPath.normalize("device path", path);
            if (type != 'c' && type != 'b' && type != 'p') {
                throw Failure.input("device " + path + ": type \"" + type + "\": expected c, b or p");
            }
            if ((mode & ~07777) != 0) {
                throw Failure.input("device " + path + ": fileMode " + Integer.toOctalString(mode)
                        + ": not permission bits");
            }
        }
    }

    /**
     * @param upper where the changes are kept (its upper/ and work/ subdirectories); without it
     *              they live in memory and vanish with the container
     */
    public record Overlay(Optional<String> upper) {
        public Overlay {
            upper.ifPresent(dir -> {
                if (dir.isEmpty()) {
                    throw Failure.input("overlay upper: the path is empty");
                }
                CStrings.requireNoNul("overlay upper", dir);
            });
        }
    }
}
