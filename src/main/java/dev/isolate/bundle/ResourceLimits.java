package dev.isolate.bundle;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Resources;
import dev.isolate.spec.Resources.DeviceRule;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** linux.resources and linux.cgroupsPath as isolate's {@link Resources}. */
final class ResourceLimits {
    /** The NUMA nodes the host has; a machine without NUMA support has node 0 alone. */
    private static final Path NODES = Path.of("/sys/devices/system/node/online");
    /** The kernel's smallest CFS quota (1 ms). */
    private static final long MINIMUM_QUOTA_MICROS = 1_000;
    private static final Set<String> FIELDS = Set.of("devices", "memory", "cpu", "pids", "blockIO", "hugepageLimits",
            "network", "rdma", "unified");

    private ResourceLimits() {
    }

    /** The limits, and the cgroup's parent and name when config.json gives a cgroupsPath. */
    static Resources read(Node resources, Node cgroupsPath) {
        Optional<String> parent = Optional.empty();
        Optional<String> leaf = Optional.empty();
        if (!cgroupsPath.absent()) {
            String path = cgroupsPath.string();
            if (!path.startsWith("/")) {
                throw cgroupsPath.fail("\"" + path + "\": " + (path.indexOf(':') >= 0
                        ? "the systemd cgroup driver is not supported"
                        : "isolate takes an absolute path from each hierarchy's root"));
            }
            int slash = path.lastIndexOf('/');
            parent = slash == 0 ? Optional.empty() : Optional.of(path.substring(1, slash));
            leaf = Optional.of(path.substring(slash + 1));
        }
        if (resources.absent()) {
            return new Resources(OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty(), Optional.empty(),
                    OptionalLong.empty(), OptionalLong.empty(), Optional.empty(), parent, leaf,
                    List.of(), Resources.Manager.CGROUPFS);
        }
        resources.fields(FIELDS);
        for (String unsupported : List.of("blockIO", "hugepageLimits", "network", "rdma", "unified")) {
            resources.refuse(unsupported, "isolate does not support it");
        }
        Node memory = resources.field("memory");
        OptionalLong limit = OptionalLong.empty();
        OptionalLong swap = OptionalLong.empty();
        if (!memory.absent()) {
            memory.fields(Set.of("limit", "reservation", "swap", "kernel", "kernelTCP", "swappiness",
                    "disableOOMKiller", "useHierarchy", "checkBeforeUpdate"));
            for (String unsupported : List.of("reservation", "kernel", "kernelTCP", "swappiness", "disableOOMKiller",
                    "useHierarchy", "checkBeforeUpdate")) {
                memory.refuse(unsupported, "isolate does not support it");
            }
            // -1 is no limit, for memory and for swap alike.
            limit = bytes(memory.field("limit"));
            swap = bytes(memory.field("swap"));
            if (limit.isPresent() && limit.getAsLong() < Resources.MINIMUM_MEMORY) {
                throw memory.field("limit").fail(limit.getAsLong() + " bytes is below the minimum, "
                        + Resources.MINIMUM_MEMORY);
            }
            if (swap.isPresent() && limit.isEmpty()) {
                throw memory.field("swap").fail("needs a memory limit (it is memory plus swap)");
            }
            if (swap.isPresent() && swap.getAsLong() < limit.getAsLong()) {
                throw memory.field("swap").fail(swap.getAsLong() + ": below the memory limit, " + limit.getAsLong()
                        + " (it is memory plus swap)");
            }
            if (memory.field("swap").optionalNumber(-1, Long.MAX_VALUE).orElse(0) == -1 && limit.isPresent()) {
                swap = OptionalLong.of(Resources.UNLIMITED);
            }
        }
        Node pids = resources.field("pids");
        OptionalLong pidsLimit = OptionalLong.empty();
        if (!pids.absent()) {
            pids.fields(Set.of("limit"));
            // 0 and -1 both mean no limit, as runc reads them.
            long n = pids.field("limit").require().number(-1, Long.MAX_VALUE);
            pidsLimit = n > 0 ? OptionalLong.of(n) : OptionalLong.empty();
        }
        Node cpu = resources.field("cpu");
        Optional<Double> cpus = Optional.empty();
        OptionalLong shares = OptionalLong.empty();
        Optional<String> cpuset = Optional.empty();
        if (!cpu.absent()) {
            cpu.fields(Set.of("shares", "quota", "burst", "period", "realtimeRuntime", "realtimePeriod", "cpus",
                    "mems", "idle"));
            for (String unsupported : List.of("burst", "realtimeRuntime", "realtimePeriod", "idle")) {
                cpu.refuse(unsupported, "isolate does not support it");
            }
            // 0 is unset, as runc reads it; the kernel's v1 range otherwise.
            long given = cpu.field("shares").optionalNumber(0, 262_144).orElse(0);
            if (given == 1) {
                throw cpu.field("shares").fail("1: expected 2 to 262144 (0 for none)");
            }
            shares = given == 0 ? OptionalLong.empty() : OptionalLong.of(given);
            long period = cpu.field("period").optionalNumber(0, Long.MAX_VALUE).orElse(0);
            if (period != 0 && period != Resources.CPU_PERIOD_MICROS) {
                throw cpu.field("period").fail(period + ": isolate uses the CFS period of "
                        + Resources.CPU_PERIOD_MICROS + " microseconds");
            }
            long quota = cpu.field("quota").optionalNumber(-1, Long.MAX_VALUE).orElse(-1);
            if (quota > 0 && quota < MINIMUM_QUOTA_MICROS) {
                throw cpu.field("quota").fail(quota + ": below the kernel's smallest CFS quota, "
                        + MINIMUM_QUOTA_MICROS + " microseconds");
            }
            if (quota > 0) {
                cpus = Optional.of((double) quota / Resources.CPU_PERIOD_MICROS);
            }
            cpuset = cpu.field("cpus").optionalString().filter(list -> !list.isEmpty());
            Node mems = cpu.field("mems");
            mems.optionalString().filter(list -> !list.isEmpty()).ifPresent(list -> {
                String host = hostNodes(mems);
                if (!Resources.cpuNumbers(list).equals(Resources.cpuNumbers(host))) {
                    throw mems.fail("\"" + list + "\": isolate does not limit memory nodes (the host has " + host + ")");
                }
            });
        }
        return new Resources(limit, swap, pidsLimit, cpus, shares, OptionalLong.empty(), cpuset, parent,
                leaf, deviceRules(resources.field("devices")), Resources.Manager.CGROUPFS);
    }

    /** A byte count; absent for -1, no limit. */
    private static OptionalLong bytes(Node node) {
        OptionalLong value = node.optionalNumber(-1, Long.MAX_VALUE);
        return value.isPresent() && value.getAsLong() == -1 ? OptionalLong.empty() : value;
    }

    private static List<DeviceRule> deviceRules(Node devices) {
        List<DeviceRule> rules = new ArrayList<>();
        for (Node rule : devices.list()) {
            rule.fields(Set.of("allow", "type", "major", "minor", "access"));
            String type = rule.field("type").optionalString().orElse("a");
            if (type.length() != 1 || "acb".indexOf(type.charAt(0)) < 0) {
                throw rule.field("type").fail("\"" + type + "\": expected a, c or b");
            }
            String access = rule.field("access").optionalString().orElse("rwm");
            if (access.isEmpty() || !access.matches("r?w?m?")) {
                throw rule.field("access").fail("\"" + access + "\": expected some of r, w and m, in that order");
            }
            rules.add(new DeviceRule(rule.field("allow").require().bool(), type.charAt(0),
                    rule.field("major").optionalNumber(-1, Long.MAX_VALUE).orElse(-1),
                    rule.field("minor").optionalNumber(-1, Long.MAX_VALUE).orElse(-1), access));
        }
        return rules;
    }

    private static String hostNodes(Node mems) {
        try {
            return new String(Files.readAllBytes(NODES), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return "0";
        } catch (IOException e) {
            throw mems.fail("cannot read the host's memory nodes from " + NODES + ": " + Failure.reason(e));
        }
    }
}
