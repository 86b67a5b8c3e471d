package dev.isolate.inspect;

import dev.isolate.json.Json;
import dev.isolate.spec.Namespace;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.IsoInstant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The tables and JSON of isolate ns and isolate lsns. */
public final class Reports {
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

    public static String psJson(List<ContainerRecord> containers) {
        List<String> objects = new ArrayList<>();
        for (ContainerRecord c : containers) {
            objects.add("{\"name\": " + Json.string(c.name()) + ", \"pid\": "
                    + c.command().map(p -> Long.toString(p.pid())).orElse("null")
                    + ", \"namespaces\": [" + String.join(", ", c.namespaces().stream().map(Json::string).toList())
                    + "], \"command\": [" + String.join(", ", c.argv().stream().map(Json::string).toList())
                    + "], \"started\": " + Json.string(started(c)) + ", \"status\": "
                    + Json.string(c.live() ? "running" : "exited") + ", \"exitCode\": "
                    + c.exitStatus().map(String::valueOf).orElse("null") + "}");
        }
        return "{\"containers\": [" + String.join(",\n   ", objects) + "]}\n";
    }

    private static String started(ContainerRecord c) {
        return IsoInstant.format(c.started().truncatedTo(ChronoUnit.SECONDS));
    }

    /** running, exited (N), or exited (?) when isolate was killed before it could see the end. */
    private static String status(ContainerRecord c) {
        return c.live() ? "running" : "exited (" + c.exitStatus().map(String::valueOf).orElse("?") + ")";
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
