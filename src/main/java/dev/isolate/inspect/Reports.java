package dev.isolate.inspect;

import dev.isolate.host.cgroup.CgroupUsage;
import dev.isolate.json.Json;
import dev.isolate.spec.Namespace;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.IsoInstant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.LongFunction;

/** The tables and JSON of isolate ns, lsns, ps and stats. */
public final class Reports {
    private static final long[] TENS = {1, 10, 100, 1000};

    private Reports() {
    }

    /** One process's namespaces and whether each differs from the reader's own. */
    public record ProcessNamespaces(String pid, Map<Namespace, Long> ids, Map<Namespace, Long> own) {
        boolean differs(Namespace type) {
            return !ids.get(type).equals(own.get(type));
        }
    }

    public static String nsTable(List<ProcessNamespaces> processes) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"PID", "TYPE", "NS", "DIFFERS"});
        for (ProcessNamespaces process : processes) {
            process.ids().keySet().forEach(type -> rows.add(new String[] {process.pid(), type.procName(),
                    Long.toString(process.ids().get(type)), process.differs(type) ? "yes" : "no"}));
        }
        return table(rows, Set.of(0, 2));
    }

    public static String nsJson(List<ProcessNamespaces> processes) {
        List<String> objects = new ArrayList<>();
        for (ProcessNamespaces process : processes) {
            process.ids().keySet().forEach(type -> objects.add("{\"pid\": " + process.pid() + ", \"type\": "
                    + Json.string(type.procName()) + ", \"ns\": " + process.ids().get(type) + ", \"differs\": "
                    + process.differs(type) + "}"));
        }
        return "{\"namespaces\": [" + String.join(",\n   ", objects) + "]}\n";
    }

    /** lsns's default columns, in its order. */
    public static String lsnsTable(List<SystemNamespaces.Entry> entries) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NS", "TYPE", "NPROCS", "PID", "USER", "COMMAND"});
        for (SystemNamespaces.Entry e : entries) {
            rows.add(new String[] {Long.toString(e.ns()), e.type().procName(), Integer.toString(e.nprocs()),
                    Long.toString(e.pid()), e.user(), printable(e.command())});
        }
        return table(rows, Set.of(0, 2, 3));
    }

    /** lsns --json's fields, as a flat list (util-linux nests namespaces by process ancestry). */
    public static String lsnsJson(List<SystemNamespaces.Entry> entries) {
        List<String> objects = new ArrayList<>();
        for (SystemNamespaces.Entry e : entries) {
            objects.add("{\"ns\": " + e.ns() + ", \"type\": " + Json.string(e.type().procName()) + ", \"nprocs\": "
                    + e.nprocs() + ", \"pid\": " + e.pid() + ", \"user\": " + Json.string(e.user())
                    + ", \"command\": " + Json.string(e.command()) + "}");
        }
        return "{\"namespaces\": [" + String.join(",\n   ", objects) + "]}\n";
    }

    /** isolate ps: one row per named container. */
    public static String psTable(List<ContainerRecord> containers) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "PID", "NAMESPACES", "STARTED", "STATUS", "COMMAND"});
        for (ContainerRecord c : containers) {
            rows.add(new String[] {c.name(), c.command().map(p -> Long.toString(p.pid())).orElse("-"),
                    c.namespaces().isEmpty() ? "-" : String.join(",", c.namespaces()), started(c), status(c),
                    printable(String.join(" ", c.argv()))});
        }
        return table(rows, Set.of(1));
    }

    /** @param usage what the running containers with a cgroup use now, by name */
    public static String psJson(List<ContainerRecord> containers, Map<String, CgroupUsage> usage) {
        List<String> objects = new ArrayList<>();
        for (ContainerRecord c : containers) {
            objects.add("{\"name\": " + Json.string(c.name()) + ", \"pid\": "
                    + c.command().map(p -> Long.toString(p.pid())).orElse("null")
                    + ", \"namespaces\": [" + String.join(", ", c.namespaces().stream().map(Json::string).toList())
                    + "], \"command\": [" + String.join(", ", c.argv().stream().map(Json::string).toList())
                    + "], \"started\": " + Json.string(started(c)) + ", \"status\": "
                    + Json.string(c.live() ? "running" : "exited") + ", \"exitCode\": "
                    + c.exitStatus().map(String::valueOf).orElse("null") + ", \"cgroups\": ["
                    + String.join(", ", c.cgroups().stream().map(Json::string).toList()) + "], \"outOfMemory\": "
                    + c.outOfMemory() + ", \"usage\": " + Optional.ofNullable(usage.get(c.name()))
                            .map(u -> "{" + usageFields(Optional.of(u)) + "}").orElse("null") + "}");
        }
        return "{\"containers\": [" + String.join(",\n   ", objects) + "]}\n";
    }

    private static String started(ContainerRecord c) {
        return IsoInstant.formatSeconds(c.started());
    }

    /**
     * running, exited (N), exited (137, out of memory) when the kernel's OOM killer ended it at
     * its memory limit, or exited (?) when isolate was killed before it could see the end.
     */
    private static String status(ContainerRecord c) {
        return c.live() ? "running" : "exited (" + c.exitStatus().map(String::valueOf).orElse("?")
                + (c.outOfMemory() ? ", out of memory" : "") + ")";
    }

    /** A running container's cgroup usage: none when it has no cgroup of its own. */
    public record ContainerUsage(String name, Optional<CgroupUsage> usage) {
    }

    /** isolate stats: docker stats --no-stream's columns that isolate has, and the peak and CPU time. */
    public static String statsTable(List<ContainerUsage> containers) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "MEM USAGE / LIMIT", "MEM %", "PEAK", "PIDS", "CPU TIME"});
        for (ContainerUsage c : containers) {
            Optional<CgroupUsage> u = c.usage();
            rows.add(new String[] {c.name(),
                    u.map(usage -> orDash(usage.memory(), Reports::bytes) + " / " + limit(usage.memoryLimit(),
                            Reports::bytes)).orElse("-"),
                    u.map(Reports::memoryPercent).orElse("-"),
                    u.map(usage -> orDash(usage.memoryPeak(), Reports::bytes)).orElse("-"),
                    u.map(usage -> orDash(usage.pids(), String::valueOf) + " / " + limit(usage.pidsLimit(),
                            String::valueOf)).orElse("-"),
                    u.map(usage -> orDash(usage.cpuNanos(), Reports::duration)).orElse("-")});
        }
        return table(rows, Set.of());
    }

    /** isolate stats --json: bytes and nanoseconds as numbers, null where the kernel reports none (or no limit). */
    public static String statsJson(List<ContainerUsage> containers) {
        List<String> objects = new ArrayList<>();
        for (ContainerUsage c : containers) {
            Optional<CgroupUsage> u = c.usage();
            objects.add("{\"name\": " + Json.string(c.name()) + ", " + usageFields(c.usage()) + "}");
        }
        return "[" + String.join(",\n ", objects) + "]\n";
    }

    /** The usage fields of stats --json and of ps --json's usage object. */
    private static String usageFields(Optional<CgroupUsage> u) {
        return "\"memoryUsage\": " + number(u.map(CgroupUsage::memory))
                + ", \"memoryPeak\": " + number(u.map(CgroupUsage::memoryPeak))
                + ", \"memoryLimit\": " + number(u.map(CgroupUsage::memoryLimit))
                + ", \"pids\": " + number(u.map(CgroupUsage::pids))
                + ", \"pidsLimit\": " + number(u.map(CgroupUsage::pidsLimit))
                + ", \"cpuNanoseconds\": " + number(u.map(CgroupUsage::cpuNanos));
    }

    private static String number(Optional<OptionalLong> value) {
        return value.filter(OptionalLong::isPresent).map(v -> Long.toString(v.getAsLong())).orElse("null");
    }

    private static String orDash(OptionalLong value, LongFunction<String> format) {
        return value.isPresent() ? format.apply(value.getAsLong()) : "-";
    }

    private static String limit(OptionalLong value, LongFunction<String> format) {
        return value.isPresent() ? format.apply(value.getAsLong()) : "unlimited";
    }

    /** As docker's: usage over limit, two decimals; "-" without a limit. */
    private static String memoryPercent(CgroupUsage usage) {
        if (usage.memory().isEmpty() || usage.memoryLimit().isEmpty() || usage.memoryLimit().getAsLong() == 0) {
            return "-";
        }
        return decimal(Math.round(10_000.0 * usage.memory().getAsLong() / usage.memoryLimit().getAsLong()), 2) + "%";
    }

    /** Sizes as docker writes them (go-units' BytesSize): binary units, four significant digits, "1.523MiB". */
    static String bytes(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double size = bytes;
        int unit = 0;
        while (size >= 1024 && unit < units.length - 1) {
            size /= 1024;
            unit++;
        }
        // Below 1024 in its unit: as many decimals as leave four digits, rounded half to even as
        // Go rounds. Exact up to 2^43 bytes, where size * 1000 still fits a double's 53 bits.
        int decimals = size < 10 ? 3 : size < 100 ? 2 : size < 1000 ? 1 : 0;
        return withoutTrailingZeros(decimal((long) Math.rint(size * TENS[decimals]), decimals)) + units[unit];
    }

    /**
     * {@code scaled / 10^decimals} written out with that many decimals: the arithmetic of
     * isolate's reports, which BigDecimal or a Formatter would do too, but at a start's cost
     * (BigDecimal's class initialisation alone took 70 ms of an interpreted stats).
     */
    static String decimal(long scaled, int decimals) {
        if (decimals == 0) {
            return Long.toString(scaled);
        }
        String fraction = Long.toString(scaled % TENS[decimals] + TENS[decimals]).substring(1);
        return scaled / TENS[decimals] + "." + fraction;
    }

    private static String withoutTrailingZeros(String decimal) {
        if (decimal.indexOf('.') < 0) {
            return decimal;
        }
        int end = decimal.length();
        while (decimal.charAt(end - 1) == '0') {
            end--;
        }
        return decimal.substring(0, decimal.charAt(end - 1) == '.' ? end - 1 : end);
    }

    /** A duration as Go's (docker's language) writes one rounded to milliseconds: "12ms", "1.204s", "2m3.5s". */
    static String duration(long nanos) {
        long millis = (nanos + 500_000) / 1_000_000;
        if (millis < 1000) {
            return millis == 0 ? "0s" : millis + "ms";
        }
        long hours = millis / 3_600_000;
        long minutes = millis / 60_000 % 60;
        String seconds = withoutTrailingZeros(decimal(millis % 60_000, 3)) + "s";
        return (hours > 0 ? hours + "h" : "") + (hours > 0 || minutes > 0 ? minutes + "m" : "") + seconds;
    }

    /** Control characters as \xHH, as util-linux writes them, so that a row stays one line. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", c) : (char) c));
        return out.toString();
    }

    /** Columns padded to their widest cell, numbers to the right as lsns has them; the last is not padded. */
    private static String table(List<String[]> rows, Set<Integer> numeric) {
        int last = rows.get(0).length - 1;
        int[] widths = new int[last];
        for (String[] row : rows) {
            for (int i = 0; i < last; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            for (int i = 0; i < last; i++) {
                out.append(String.format("%" + (numeric.contains(i) ? "" : "-") + widths[i] + "s ", row[i]));
            }
            out.append(row[last]).append('\n');
        }
        return out.toString();
    }
}
