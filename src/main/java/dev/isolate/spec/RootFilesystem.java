package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The tree the command sees as /: an image directory (or archive) switched to with
 * pivot_root, plus the mounts the user adds.
 *
 * @param image    a directory, or a .tar/.tar.gz archive unpacked into isolate's cache
 * @param readOnly mount the root read-only (added mounts keep their own mode)
 * @param overlay  keep the image unchanged: writes go to an overlayfs upper layer
 * @param mounts   added mounts, in the order given
 */
public record RootFilesystem(String image, boolean readOnly, Optional<Overlay> overlay, List<Mount> mounts) {
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
    }

    /** The same root with these mounts made before the user's, which may cover them. */
    public RootFilesystem withMountsFirst(List<Mount> first) {
        List<Mount> all = new ArrayList<>(first);
        all.addAll(mounts);
        return new RootFilesystem(image, readOnly, overlay, all);
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
