package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.json.Json;
import dev.isolate.state.IsoInstant;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;

/**
 * --log and --log-format: where engines read why a command failed. conmon and containerd's
 * shim pass --log-format json and read the last error's msg from the file; runc writes
 * logrus's lines, {@code {"level":"error","msg":"...","time":"2026-12-01T22:52:33Z"}}, or in
 * text, {@code time="..." level=error msg="..."}. A line is appended whole with one write.
 */
public final class RuntimeLog {
    /** The formats of --log-format. */
    public enum Format {
        TEXT, JSON
    }

    private final Optional<Path> file;
    private final Format format;
    private final boolean debug;

    public RuntimeLog(Optional<Path> file, Format format, boolean debug) {
        this.file = file;
        this.format = format;
        this.debug = debug;
    }

    public void error(String message) {
        write("error", message);
    }

    public void warning(String message) {
        write("warning", message);
    }

    /** Written only with --debug. */
    public void debug(String message) {
        if (debug) {
            write("debug", message);
        }
    }

    public boolean debugging() {
        return debug;
    }

    private void write(String level, String message) {
        if (file.isEmpty()) {
            return;
        }
        try {
            Files.write(file.get(), line(level, message, Instant.now()).getBytes(StandardCharsets.ISO_8859_1),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw Failure.step("--log " + file.get() + ": " + Failure.reason(e));
        }
    }

    /** One line of the log, its newline included. */
    String line(String level, String message, Instant time) {
        String when = IsoInstant.formatSeconds(time);
        return switch (format) {
            case JSON -> "{\"level\":" + Json.string(level) + ",\"msg\":" + Json.string(message) + ",\"time\":"
                    + Json.string(when) + "}\n";
            case TEXT -> "time=" + Json.string(when) + " level=" + level + " msg=" + Json.string(message) + "\n";
        };
    }

    /** Makes the log file (mode 600) if it is missing, so that a bad --log is refused before anything is done. */
    public void open() {
        if (file.isEmpty()) {
            return;
        }
        try {
            Files.createFile(file.get(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } catch (FileAlreadyExistsException e) {
            // the engine's own file, appended to
        } catch (IOException e) {
            throw Failure.step("--log " + file.get() + ": " + Failure.reason(e));
        }
    }
}
