package dev.isolate.host.cgroup;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.ProcessIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * One sample of what a container's cgroup uses, for isolate stats: read from the files the
 * kernel keeps in its directories, cgroup v1's (one directory per hierarchy, each with its
 * controller's files) or v2's (one directory with them all). A value the kernel does not
 * report there is empty, as the peak on a kernel before 5.19 (v2's memory.peak), or the
 * limit of a container that has none.
 *
 * @param memory      bytes charged to it now, page cache included, as the kernel counts them
 * @param memoryPeak  the most it was ever charged
 * @param memoryLimit its memory limit
 * @param pids        the processes and threads in it
 * @param pidsLimit   how many it may have
 * @param cpuNanos    the CPU time its processes used, in nanoseconds
 */
public record CgroupUsage(OptionalLong memory, OptionalLong memoryPeak, OptionalLong memoryLimit, OptionalLong pids,
        OptionalLong pidsLimit, OptionalLong cpuNanos) {
    /**
     * cgroup v1 shows "no memory limit" as the largest multiple of the page size below 2^63;
     * no machine has anywhere near 2^62 bytes, so anything from there on is that.
     */
    private static final long V1_UNLIMITED_FROM = 1L << 62;

    /**
     * A container's cgroup directories as its record lists them, each checked to be a leaf
     * isolate makes for the isolate that supervises it (named after that process, see
     * {@link ContainerCgroup#leafName}) inside a cgroup hierarchy mounted here, so that a
     * record never leads the reading anywhere else.
     *
     * @throws Failure naming the first directory that is not
     */
    public static List<Path> leaves(List<String> recorded, ProcessIdentity supervisor, Hierarchies hierarchies) {
        List<Path> leaves = new ArrayList<>();
        for (String directory : recorded) {
            Path leaf = Path.of(directory);
            boolean inHierarchy = hierarchies.all().stream().map(Hierarchies.Hierarchy::mountPoint)
                    .anyMatch(mountPoint -> leaf.startsWith(mountPoint) && !leaf.equals(mountPoint));
            if (!leaf.isAbsolute() || !leaf.normalize().equals(leaf) || !inHierarchy
                    || !leaf.getFileName().toString().equals(ContainerCgroup.leafName(supervisor))) {
                throw Failure.step("cgroup " + directory + ": not the cgroup isolate made for this container");
            }
            leaves.add(leaf);
        }
        return leaves;
    }

    /**
     * A running container's usage, from the cgroup its record names (checked as {@link #leaves}
     * checks it): none when it has no cgroup of its own, or ended while it was read.
     */
    public static Optional<CgroupUsage> of(ContainerRecord container, Hierarchies hierarchies) {
        return container.cgroups().isEmpty() || !container.live() ? Optional.empty()
                : read(leaves(container.cgroups(), container.supervisor(), hierarchies));
    }

    /**
     * The usage of the cgroup in these directories, or none once one of them is gone: the
     * container ended (its isolate removes them) while it was read.
     */
    public static Optional<CgroupUsage> read(List<Path> leaves) {
        CgroupUsage usage = new CgroupUsage(
                first(leaves, "memory.current", "memory.usage_in_bytes"),
                first(leaves, "memory.peak", "memory.max_usage_in_bytes"),
                limit(leaves, "memory.max", "memory.limit_in_bytes"),
                first(leaves, "pids.current"),
                limit(leaves, "pids.max"),
                cpuNanos(leaves));
        return leaves.stream().allMatch(Files::isDirectory) ? Optional.of(usage) : Optional.empty();
    }

    /** The number in the first of these files that one of the directories has (v2's name first, then v1's). */
    private static OptionalLong first(List<Path> leaves, String... files) {
        return value(leaves, files, (file, text) -> OptionalLong.of(number(file, text)));
    }

    /** A limit: "max" (v2, and v1's pids.max) or v1's page-rounded 2^63 is none. */
    private static OptionalLong limit(List<Path> leaves, String... files) {
        return value(leaves, files, (file, text) -> text.equals("max") ? OptionalLong.empty()
                : OptionalLong.of(number(file, text))).stream().filter(limit -> limit < V1_UNLIMITED_FROM).findFirst();
    }

    /**
     * v1's cpuacct.usage counts nanoseconds; v2's cpu.stat has usage_usec, microseconds (v1's
     * cpu controller has a cpu.stat too, of throttling counts alone).
     */
    private static OptionalLong cpuNanos(List<Path> leaves) {
        OptionalLong v1 = first(leaves, "cpuacct.usage");
        if (v1.isPresent()) {
            return v1;
        }
        for (Path leaf : leaves) {
            String stat = ContainerCgroup.read(leaf.resolve("cpu.stat")).orElse("");
            if (stat.lines().anyMatch(line -> line.startsWith("usage_usec "))) {
                return OptionalLong.of(ContainerCgroup.counter(stat, "usage_usec") * 1000);
            }
        }
        return OptionalLong.empty();
    }

    private static OptionalLong value(List<Path> leaves, String[] files, BiFunction<Path, String, OptionalLong> parse) {
        for (String file : files) {
            for (Path leaf : leaves) {
                Optional<String> text = ContainerCgroup.read(leaf.resolve(file));
                if (text.isPresent()) {
                    return parse.apply(leaf.resolve(file), text.get().strip());
                }
            }
        }
        return OptionalLong.empty();
    }

    private static long number(Path file, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw Failure.step("cgroup: " + file + ": \"" + text + "\" where the kernel writes a number");
        }
    }
}
