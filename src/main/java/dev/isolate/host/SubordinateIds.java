package dev.isolate.host;

import dev.isolate.exit.Failure;
import dev.isolate.spec.IdMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A user's ranges in /etc/subuid or /etc/subgid, as shadow's newuidmap reads them. */
public final class SubordinateIds {
    public static final Path SUBUID = Path.of("/etc/subuid");
    public static final Path SUBGID = Path.of("/etc/subgid");

    private SubordinateIds() {
    }

    /** The ranges of the user named {@code name} or numbered {@code id}, as mappings with inner 0. */
    public static List<IdMapping> read(Path file, String name, long id) {
        try {
            return parse(Files.readAllLines(file), name, id);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw Failure.step(file + ": " + Failure.reason(e));
        }
    }

    static List<IdMapping> parse(List<String> lines, String name, long id) {
        List<IdMapping> ranges = new ArrayList<>();
        for (String line : lines) {
            String[] f = line.trim().split(":");
            if (f.length != 3 || !(f[0].equals(name) || f[0].equals(Long.toString(id)))) {
                continue;
            }
            try {
                ranges.add(new IdMapping(0, Long.parseLong(f[1]), Long.parseLong(f[2])));
            } catch (RuntimeException malformed) {
                // newuidmap skips lines it cannot read; so do we
            }
        }
        return ranges;
    }
}
