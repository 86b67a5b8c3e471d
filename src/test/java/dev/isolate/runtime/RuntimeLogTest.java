package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeLogTest {
    private static final Instant WHEN = Instant.parse("2026-12-01T22:52:33.789Z");

    @Test
    void jsonLinesAsRuncWritesThem() {
        RuntimeLog log = new RuntimeLog(Optional.empty(), RuntimeLog.Format.JSON, false);
        assertEquals("{\"level\":\"error\",\"msg\":\"container does not exist: x\","
                + "\"time\":\"2026-12-01T22:52:33Z\"}\n",
                log.line("error", "container does not exist: x", WHEN));
        assertEquals("{\"level\":\"error\",\"msg\":\"a \\\"quoted\\\"\\nline\",\"time\":\"2026-12-01T22:52:33Z\"}\n",
                log.line("error", "a \"quoted\"\nline", WHEN));
    }

    @Test
    void textLinesAsLogrusWritesThem() {
        RuntimeLog log = new RuntimeLog(Optional.empty(), RuntimeLog.Format.TEXT, false);
        assertEquals("time=\"2026-12-01T22:52:33Z\" level=error msg=\"no \\\"x\\\"\"\n",
                log.line("error", "no \"x\"", WHEN));
    }

    @Test
    void linesAreAppendedAndDebugOnlyWithDebug(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("log");
        Files.writeString(file, "engine's line\n");
        new RuntimeLog(Optional.of(file), RuntimeLog.Format.JSON, false).debug("not written");
        RuntimeLog debugging = new RuntimeLog(Optional.of(file), RuntimeLog.Format.JSON, true);
        debugging.debug("step");
        debugging.error("failed");
        String[] lines = Files.readString(file).split("\n");
        assertEquals(3, lines.length);
        assertEquals("engine's line", lines[0]);
        assertEquals(true, lines[1].startsWith("{\"level\":\"debug\",\"msg\":\"step\""), lines[1]);
        assertEquals(true, lines[2].startsWith("{\"level\":\"error\",\"msg\":\"failed\""), lines[2]);
    }
}
