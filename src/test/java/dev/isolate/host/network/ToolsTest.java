package dev.isolate.host.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.isolate.exit.Failure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real small commands stand in for ip and nft: no privilege needed. */
class ToolsTest {
    /** More than a tool reads in one go: one that stops early leaves some of it unread. */
    private static final String LARGE_INPUT = "x".repeat(1 << 20);

    @TempDir
    Path temp;

    private static String failure(List<String> command, String input) {
        return assertThrows(Failure.class, () -> Tools.run("check", command, input)).getMessage();
    }

    @Test
    void printsWhatTheToolPrinted() {
        assertEquals("in\n", Tools.run("check", List.of("cat"), "in\n"));
    }

    @Test
    void onlyAProgramThatCannotBeFoundIsNotInstalled() {
        assertEquals("check: isolate-no-such-tool is not installed (Debian package isolate-no-such-tool)",
                failure(List.of("isolate-no-such-tool"), ""));
    }

    @Test
    void aToolThatExitsBeforeReadingItsInputIsReportedByItsComplaint() {
        assertEquals("check: sh: no such table",
                failure(List.of("sh", "-c", "echo 'no such table' >&2; exit 1"), LARGE_INPUT));
        assertEquals("check: sh: exit status 3", failure(List.of("sh", "-c", "exit 3"), LARGE_INPUT));
    }

    @Test
    void aToolThatSucceedsWithoutReadingItsInputIsAFailureToo() {
        assertEquals("check: sh: exited without reading all of its input",
                failure(List.of("sh", "-c", "exec 0<&-; sleep 0.2"), LARGE_INPUT));
        assertEquals("check: head: exited without reading all of its input",
                failure(List.of("head", "-c", "10"), LARGE_INPUT));
    }

    @Test
    void aProgramThatIsThereButCannotRunSaysWhy() throws Exception {
        Path tool = Files.writeString(temp.resolve("tool"), "#!/isolate-no-such-interpreter\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertEquals("check: " + tool + ": cannot run it: No such file or directory",
                failure(List.of(tool.toString()), ""));
    }
}
