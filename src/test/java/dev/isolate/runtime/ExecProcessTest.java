package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.spec.JoinSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecProcessTest {
    private static final ContainerProcess CONTAINER = new ContainerProcess(List.of("PATH=/bin", "HOME=/root"), "/srv",
            Map.of("user", Map.of("uid", 0, "gid", 0, "umask", 18),
                    "capabilities", Map.of("bounding", List.of("CAP_KILL", "CAP_CHOWN"),
                            "effective", List.of("CAP_KILL", "CAP_CHOWN"))), Optional.empty());
    @TempDir
    Path directory;

    private ExecProcess read(String json) throws IOException {
        Path file = directory.resolve("process.json");
        Files.writeString(file, json);
        return ExecProcess.read(file, CONTAINER);
    }

    private Failure refused(String json) {
        return assertThrows(Failure.class, () -> read(json));
    }

    @Test
    void theCommandLineFormStartsFromTheContainersProcess() {
        ExecProcess exec = ExecProcess.fromCommandLine(CONTAINER, List.of("ls", "-l"), List.of("HOME=/tmp", "A=b"),
                Optional.empty());
        assertEquals(List.of("PATH=/bin", "HOME=/tmp", "A=b"), exec.env());
        assertEquals("/srv", exec.cwd());
        JoinSpec spec = exec.joinSpec();
        assertEquals(List.of("ls", "-l"), spec.command());
        assertEquals(Optional.of("/srv"), spec.workdir());
        assertEquals(Map.of("PATH", "/bin", "HOME", "/tmp", "A", "b"), spec.environment());
        assertTrue(spec.namespaces().isEmpty());
        assertFalse(spec.privileged());
    }

    @Test
    void aProcessFileThatRepeatsTheContainersConfinementIsTaken() throws IOException {
        ExecProcess exec = read("{\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 18},"
                + " \"args\": [\"sh\", \"-c\", \"true\"], \"env\": [\"X=1\"], \"cwd\": \"/\","
                + " \"capabilities\": {\"bounding\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"effective\": [\"CAP_CHOWN\","
                + " \"CAP_KILL\"], \"permitted\": []}, \"apparmorProfile\": \"\", \"noNewPrivileges\": false}");
        assertEquals(List.of("sh", "-c", "true"), exec.args());
        assertEquals(List.of("X=1"), exec.env());
        assertEquals("/", exec.cwd());
    }

    @Test
    void whatExecCannotGiveIsRefusedByName() {
        assertEquals(refused("{\"args\": [\"id\"], \"user\": {\"uid\": 1000, \"gid\": 0}}").getMessage().contains(
                "user: differs from the container's own process"), true);
        assertTrue(refused("{\"args\": [\"id\"], \"capabilities\": {\"bounding\": [\"CAP_SYS_ADMIN\"]}}")
                .getMessage().contains("capabilities: differs"));
        assertTrue(refused("{\"args\": [\"id\"], \"terminal\": true}").getMessage()
                .endsWith("terminal: exec with a terminal is not supported"));
        assertTrue(refused("{\"args\": [\"id\"], \"ioPriority\": {\"class\": \"IOPRIO_CLASS_IDLE\"}}").getMessage()
                .endsWith("ioPriority: isolate-runtime's exec does not support it"));
        assertTrue(refused("{\"args\": []}").getMessage().contains("no command given"));
        assertTrue(refused("{\"args\": [\"id\"], \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 3,"
                + " \"soft\": 3}]}").getMessage().contains("rlimits: RLIMIT_NOFILE 3:3: an exec'd process keeps the"
                + " runtime's own limit"));
        assertTrue(refused("not json").getMessage().startsWith("--process "));
    }

    @Test
    void valuesAreComparedAsTheSpecMeansThem() {
        assertTrue(ExecProcess.same(null, ""));
        assertTrue(ExecProcess.same(false, null));
        assertTrue(ExecProcess.same(List.of("a", "b"), List.of("b", "a")));
        assertTrue(ExecProcess.same(Map.of("uid", 0), Map.of("uid", 0L)));
        assertTrue(ExecProcess.same(Map.of("uid", 0, "additionalGids", List.of()), Map.of("uid", 0)));
        assertFalse(ExecProcess.same(Map.of("uid", 0), Map.of("uid", 1)));
        assertFalse(ExecProcess.same(true, null));
    }
}
