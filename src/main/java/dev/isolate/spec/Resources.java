package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How much the container may use, in docker's terms, and where its cgroup goes. Values are
 * checked here against each other; whether the host can enforce them is the cgroup
 * preparation's question.
 *
 * @param memory       bytes of memory (docker's --memory)
 * @param memorySwap   memory plus swap in bytes, or {@link #UNLIMITED} (docker's --memory-swap)
 * @param pids         the most tasks the container may have
 * @param cpus         a CFS quota in CPUs (0.5 is half of one)
 * @param cpuShares    the container's CPU share on cgroup v1's scale, 2 to 262144 (--cpu-shares)
 * @param cpuWeight    the same on cgroup v2's scale, 1 to 10000 (--cpu-weight); at most one of the two is given
 * @param cpusetCpus   the CPUs the container may run on, in the kernel's list format
 * @param parent       the cgroup (from each hierarchy's root) that the container's is made in
 * @param name         the container's own cgroup's name in {@code parent}; without it, isolate names it
 *                     after the isolate that makes it (an OCI bundle's cgroupsPath gives both)
 * @param devices      the device cgroup's rules, in order (an OCI bundle's); empty: no device cgroup
 * @param manager      whether isolate makes a cgroup at all
 */
public record Resources(OptionalLong memory, OptionalLong memorySwap, OptionalLong pids, Optional<Double> cpus,
        OptionalLong cpuShares, OptionalLong cpuWeight, Optional<String> cpusetCpus, Optional<String> parent, Optional<String> name, List<DeviceRule> devices,
        Manager manager) {
    /** --memory-swap -1, and --pids-limit 0 or -1: no limit, as docker spells it. */
    public static final long UNLIMITED = -1;
    /** docker's floor: a smaller limit kills most programs before they start. */
    public static final long MINIMUM_MEMORY = 6L << 20;
    /** The CFS period isolate uses for --cpus, docker's and the kernel's default (100 ms). */
    public static final long CPU_PERIOD_MICROS = 100_000;
    /** The kernel's smallest CFS quota (1 ms). */
    private static final long MINIMUM_QUOTA_MICROS = 1_000;
    private static final Pattern BYTES = Pattern.compile("([0-9]+)([bkmgBKMG]?)");
    private static final Pattern CPU_LIST = Pattern.compile("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");
    private static final Pattern CGROUP_NAME = Pattern.compile("[A-Za-z0-9_.:@-]+");

    /** cgroupfs: isolate writes the cgroup files itself; disabled: no cgroup, and so no limit. */
    public enum Manager { CGROUPFS, DISABLED }

    public static final Resources NONE = new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(),
            Optional.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), Optional.empty(),
            Optional.empty(), List.of(), Manager.CGROUPFS);

    public Resources {
        memory.ifPresent(bytes -> {
            if (bytes < MINIMUM_MEMORY) {
                throw Failure.input("--memory: " + bytes + " bytes is below the minimum, 6m");
            }
        });
        if (memorySwap.isPresent()) {
            if (memory.isEmpty()) {
                throw Failure.input("--memory-swap: needs --memory (it is memory plus swap)");
            }
            long swap = memorySwap.getAsLong();
            if (swap != UNLIMITED && swap < memory.getAsLong()) {
                throw Failure.input("--memory-swap " + swap + ": must be at least --memory (" + memory.getAsLong()
                        + "), or -1 for unlimited swap");
            }
        }
        pids.ifPresent(n -> {
            if (n < 1) {
                throw new IllegalArgumentException("pids limit " + n + ": absent means unlimited");
            }
        });
        cpus.ifPresent(n -> {
            if (!(n > 0) || Math.round(n * CPU_PERIOD_MICROS) < MINIMUM_QUOTA_MICROS) {
                throw Failure.input("--cpus " + n + ": must be at least 0.01");
            }
        });
        if (cpuShares.isPresent() && cpuWeight.isPresent()) {
            throw Failure.input("--cpu-shares and --cpu-weight: give one (they are the same knob on two scales)");
        }
        cpuShares.ifPresent(shares -> {
            if (shares < 2 || shares > 262_144) {
                throw Failure.input("--cpu-shares " + shares + ": must be 2 to 262144");
            }
        });
        cpuWeight.ifPresent(weight -> {
            if (weight < 1 || weight > 10_000) {
                throw Failure.input("--cpu-weight " + weight + ": must be 1 to 10000");
            }
        });
        cpusetCpus.ifPresent(list -> {
            if (!CPU_LIST.matcher(list).matches()) {
                throw Failure.input("--cpuset-cpus \"" + list + "\": use CPU numbers and ranges, as 0-2,4");
            }
        });
        parent.ifPresent(Resources::requireValidParent);
        name.ifPresent(leaf -> {
            if (!CGROUP_NAME.matcher(leaf).matches() || leaf.equals(".") || leaf.equals("..")) {
                throw Failure.input("cgroup \"" + leaf + "\": use a name of letters, digits and _.:@-");
            }
        });
        devices = List.copyOf(devices);
        if (manager == Manager.DISABLED && (limited(memory, pids, cpus, cpuShares, cpuWeight, cpusetCpus, parent)
                || name.isPresent() || !devices.isEmpty())) {
            throw Failure.input("--cgroup-manager disabled: a limit needs a cgroup; drop the limit or the option");
        }
    }

    /**
     * Whether any limit is asked for, or a place or name for the cgroup, or device rules: then a
     * cgroup must be made or the launch fails.
     */
    public boolean limits() {
        return limited(memory, pids, cpus, cpuShares, cpuWeight, cpusetCpus, parent) || name.isPresent()
                || !devices.isEmpty();
    }

    /**
     * One rule of cgroup v1's device controller, as devices.allow and devices.deny take it.
     *
     * @param type   a (all), c or b
     * @param major  the major number, or -1 for any (*)
     * @param minor  the minor number, or -1 for any (*)
     * @param access some of r, w and m
     */
    public record DeviceRule(boolean allow, char type, long major, long minor, String access) {
        public DeviceRule {
            if (type != 'a' && type != 'c' && type != 'b') {
                throw Failure.input("device rule type \"" + type + "\": expected a, c or b");
            }
            if (access.isEmpty() || !access.matches("r?w?m?")) {
                throw Failure.input("device rule access \"" + access + "\": expected some of r, w and m, in that order");
            }
            if (major < -1 || minor < -1) {
                throw Failure.input("device rule " + major + ":" + minor + ": not device numbers");
            }
        }

        /** The line devices.allow or devices.deny takes: "c 1:3 rwm", "a *:* rwm". */
        public String line() {
            return type + " " + (major < 0 ? "*" : Long.toString(major)) + ":" + (minor < 0 ? "*" : Long.toString(minor))
                    + " " + access;
        }
    }

    /** {@link #limits}, for the constructor, which cannot call accessors yet. */
    private static boolean limited(OptionalLong memory, OptionalLong pids, Optional<Double> cpus, OptionalLong cpuShares,
            OptionalLong cpuWeight, Optional<String> cpusetCpus, Optional<String> parent) {
        return memory.isPresent() || pids.isPresent() || cpus.isPresent() || cpuShares.isPresent() || cpuWeight.isPresent()
                || cpusetCpus.isPresent() || parent.isPresent();
    }

    /** The CFS quota of --cpus in microseconds per {@link #CPU_PERIOD_MICROS}. */
    public OptionalLong cpuQuotaMicros() {
        return cpus.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Math.round(cpus.get() * CPU_PERIOD_MICROS));
    }

    /**
     * A size as docker takes it: bytes with an optional b, k, m or g (powers of 1024).
     *
     * @param option the option it was given to, for the error
     */
    public static long parseBytes(String option, String text) {
        Matcher m = BYTES.matcher(text);
        if (!m.matches()) {
            throw Failure.input(option + " \"" + text + "\": use a number of bytes with an optional b, k, m or g");
        }
        int shift = switch (m.group(2).toLowerCase()) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        try {
            long value = Long.parseLong(m.group(1));
            if (value > (Long.MAX_VALUE >> shift)) {
                throw new NumberFormatException();
            }
            return value << shift;
        } catch (NumberFormatException e) {
            throw Failure.input(option + " \"" + text + "\": too large");
        }
    }

    /** The CPU weight on cgroup v2's scale: --cpu-shares converted as crun and runc convert it. */
    public OptionalLong weight() {
        return cpuShares.isPresent() ? OptionalLong.of(1 + ((cpuShares.getAsLong() - 2) * 9_999) / 262_142)
                : cpuWeight;
    }

    /** The CPU share on cgroup v1's scale: --cpu-weight converted back. */
    public OptionalLong shares() {
        return cpuWeight.isPresent() ? OptionalLong.of(2 + ((cpuWeight.getAsLong() - 1) * 262_142) / 9_999)
                : cpuShares;
    }

    /** The CPU numbers of a list in the kernel's format ("0-2,4"). */
    public static BitSet cpuNumbers(String list) {
        BitSet cpus = new BitSet();
        for (String part : list.strip().split(",")) {
            if (part.isEmpty()) {
                continue;
            }
            int dash = part.indexOf('-');
            int first = Integer.parseInt(dash < 0 ? part : part.substring(0, dash));
            int last = dash < 0 ? first : Integer.parseInt(part.substring(dash + 1));
            if (last < first) {
                throw Failure.input("--cpuset-cpus \"" + list + "\": the range " + part + " runs backwards");
            }
            cpus.set(first, last + 1);
        }
        return cpus;
    }

    /** A path of cgroup names below each hierarchy's root: never "." or "..", so it stays below it. */
    private static void requireValidParent(String path) {
        String relative = path.startsWith("/") ? path.substring(1) : path;
        if (relative.isEmpty()) {
            throw Failure.input("--cgroup-parent \"" + path + "\": name a cgroup below the root");
        }
        for (String name : relative.split("/", -1)) {
            if (!CGROUP_NAME.matcher(name).matches() || name.equals(".") || name.equals("..")) {
                throw Failure.input("--cgroup-parent \"" + path + "\": use names of letters, digits and _.:@-"
                        + " separated by single slashes, without . or ..");
            }
        }
    }

    /** The parent's names, from the hierarchy's root, without leading or trailing slash. */
    public Optional<String> parentPath() {
        return parent.map(path -> path.startsWith("/") ? path.substring(1) : path);
    }
}
