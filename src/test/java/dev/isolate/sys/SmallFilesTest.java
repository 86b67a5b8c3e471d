package dev.isolate.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmallFilesTest {
    @Test
    void aProcFileIsReadToItsEndThoughItReportsNoSize() throws IOException {
        Path status = Path.of("/proc/self/status");
        assertEquals(0, Files.size(status));
        List<String> lines = SmallFiles.lines(status);
        assertTrue(lines.get(0).startsWith("Name:"), lines.get(0));
        assertTrue(lines.stream().anyMatch(line -> line.startsWith("Uid:")));
    }

    @Test
    void linesAreSplitAsFilesReadAllLinesSplitsThem(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("f"), "a\nb\r\nc\rd\n");
        assertEquals(Files.readAllLines(file), SmallFiles.lines(file));
        assertEquals("a\nb\r\nc\rd\n", SmallFiles.text(file));
    }

    @Test
    void aMissingFileGivesTheReasonFailureNamesAsForJavaNio(@TempDir Path dir) {
        FileNotFoundException missing = assertThrows(FileNotFoundException.class,
                () -> SmallFiles.bytes(dir.resolve("missing")));
        assertEquals("no such file or directory", Failure.reason(missing));
        assertEquals("odd", Failure.reason(new FileNotFoundException("odd")));
    }
}
