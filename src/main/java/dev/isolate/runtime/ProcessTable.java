package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ps's table, as runc makes it: procps's ps run with the options given (-ef by default), its
 * header, and the lines whose PID column names a process of the container.
 */
public final class ProcessTable {
    private ProcessTable() {
    }

    public static String of(List<Long> pids, List<String> psOptions) {
        List<String> command = new ArrayList<>(List.of("ps"));
        command.addAll(psOptions.isEmpty() ? List.of("-ef") : psOptions.stream().map(ByteStrings::decodedByTheJvm)
                .toList());
        String output;
        try {
            Process ps = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            ps.getOutputStream().close();
            output = new String(ps.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            if (ps.waitFor() != 0) {
                throw Failure.step("ps " + String.join(" ", command.subList(1, command.size())) + ": exit status "
                        + ps.exitValue());
            }
        } catch (IOException e) {
            throw Failure.step("ps: " + Failure.reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failure.step("ps: interrupted");
        }
        return filter(output, new HashSet<>(pids));
    }

    /** The header and the lines of {@code pids}, found by the header's PID column. */
    static String filter(String table, Set<Long> pids) {
        List<String> lines = table.lines().toList();
        if (lines.isEmpty()) {
            throw Failure.step("ps printed nothing");
        }
        int column = List.of(lines.get(0).trim().split("\\s+")).indexOf("PID");
        if (column < 0) {
            throw Failure.input("ps: its options must keep the PID column");
        }
        StringBuilder kept = new StringBuilder(lines.get(0)).append('\n');
        for (String line : lines.subList(1, lines.size())) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length > column && fields[column].matches("[0-9]+")
                    && pids.contains(Long.parseLong(fields[column]))) {
                kept.append(line).append('\n');
            }
        }
        return kept.toString();
    }
}
