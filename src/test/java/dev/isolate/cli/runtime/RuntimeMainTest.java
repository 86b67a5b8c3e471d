package dev.isolate.cli.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** isolate-runtime's command line as engines use it, without launching anything. */
class RuntimeMainTest {
    @TempDir
    Path directory;

    private record Run(int status, String out, String err) {
    }

    private Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = RuntimeMain.execute(args, new PrintStream(out, true, StandardCharsets.ISO_8859_1),
                new PrintStream(err, true, StandardCharsets.ISO_8859_1));
        return new Run(status, out.toString(StandardCharsets.ISO_8859_1), err.toString(StandardCharsets.ISO_8859_1));
    }

    private String root() {
        return directory.resolve("state").toString();
    }

    @Test
    void theCommandIsTheFirstWordAfterTheGlobalOptions() {
        assertEquals(Optional.of("create"), RuntimeCommands.commandName("--root", "/r", "--log", "/l", "--log-format",
                "json", "--debug", "create", "--bundle", "b", "c1"));
        assertEquals(Optional.of("kill"), RuntimeCommands.commandName("--root=/r", "kill", "--all", "c1", "9"));
        assertEquals(Optional.of("state"), RuntimeCommands.commandName("--rootless", "auto", "state", "c1"));
        assertEquals(Optional.empty(), RuntimeCommands.commandName("--help"));
    }

    @Test
    void aFailureIsOneLineStatusOneAndAJsonLogLine() throws IOException {
        Path log = directory.resolve("log.json");
        Run r = run("--root", root(), "--log", log.toString(), "--log-format", "json", "state", "c1");
        assertEquals(1, r.status());
        assertEquals("", r.out());
        assertEquals("isolate-runtime: container does not exist: c1\n", r.err());
        String line = Files.readString(log);
        assertTrue(line.startsWith("{\"level\":\"error\",\"msg\":\"container does not exist: c1\",\"time\":\""), line);
    }

    @Test
    void whatIsRefusedSaysWhy() {
        assertEquals("isolate-runtime: --systemd-cgroup: the systemd cgroup driver is not supported; isolate makes"
                + " cgroups itself (cgroupfs)\n", run("--root", root(), "--systemd-cgroup", "list").err());
        assertTrue(run("--root", root(), "pause", "c1").err().startsWith("isolate-runtime: unknown command \"pause\""));
        assertTrue(run("--root", root(), "create", "--no-pivot", "c1").err()
                .startsWith("isolate-runtime: --no-pivot: not supported"));
        assertTrue(run("--root", root(), "--rootless", "true", "list").err()
                .startsWith("isolate-runtime: --rootless true: only auto"));
        assertTrue(run("--root", root(), "exec", "--user", "1000", "c1", "id").err()
                .startsWith("isolate-runtime: exec --user: not supported"));
        Run unknown = run("--root", root(), "create", "--bogus", "c1");
        assertEquals(1, unknown.status());
        assertEquals("isolate-runtime: Unknown option: '--bogus'; see isolate-runtime create --help\n", unknown.err());
    }

    @Test
    void optionsEndAtTheFirstOperandAsRuncs() {
        // -e belongs to ps, not to ps's own options (which have none such): the container is looked up
        assertEquals("isolate-runtime: container does not exist: c1\n", run("--root", root(), "ps", "c1", "-e").err());
        // an option after the id is an operand: a signal named "-9" is none
        assertTrue(run("--root", root(), "kill", "c1", "-9").err().contains("signal \"-9\": not a signal"));
    }

    @Test
    void anEmptyStateDirectoryListsNothing() {
        Run table = run("--root", root(), "list");
        assertEquals(0, table.status(), table.err());
        assertEquals("ID   PID   STATUS   BUNDLE   CREATED   OWNER\n", table.out());
        assertEquals("[]\n", run("--root", root(), "list", "--format", "json").out());
    }
}
