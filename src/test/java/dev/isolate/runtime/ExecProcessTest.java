package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Capability;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Tunables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecProcessTest {
    private static final ContainerProcess CONTAINER = new ContainerProcess(List.of("PATH=/bin", "HOME=/root"), "/srv",
            Set.of(Capability.KILL, Capability.CHOWN), false, Optional.empty());
    private static final String CAPS = "[\"CAP_CHOWN\", \"CAP_KILL\"]";
    @TempDir
    Path directory;

    private ExecProcess read(String json) throws IOException {
        Path file = directory.resolve("process.json");
        Files.writeString(file, json);
        return ExecProcess.read(file, CONTAINER);
    }

    private String refused(String json) {
        return assertThrows(Failure.class, () -> read(json)).getMessage();
    }

    @Test
    void theCommandLineFormStartsFromTheContainersProcess() {
        ExecProcess exec = ExecProcess.fromCommandLine(CONTAINER, List.of("ls", "-l"), List.of("HOME=/tmp", "A=b"),
                Optional.empty());
        JoinSpec spec = exec.joinSpec();
        assertEquals(List.of("ls", "-l"), spec.command());
        assertEquals(Optional.of("/srv"), spec.workdir());
        assertEquals(Map.of("PATH", "/bin", "HOME", "/tmp", "A", "b"), spec.environment());
        assertTrue(spec.namespaces().isEmpty());
        assertFalse(spec.privileged());
        assertEquals(Optional.of("/"), ExecProcess.fromCommandLine(CONTAINER, List.of("ls"), List.of(),
                Optional.of("/")).joinSpec().workdir());
    }

    @Test
    void aProcessFileAskingForWhatExecGivesIsTaken() throws IOException {
        ExecProcess exec = read("{\"terminal\": false, \"user\": {\"uid\": 0, \"gid\": 0},"
                + " \"args\": [\"sh\", \"-c\", \"true\"], \"env\": [\"X=1\"], \"cwd\": \"/\", \"capabilities\":"
                + " {\"bounding\": " + CAPS + ", \"effective\": " + CAPS + ", \"permitted\": " + CAPS
                + ", \"inheritable\": " + CAPS + "}}");
        assertEquals(List.of("sh", "-c", "true"), exec.args());
        assertEquals(Map.of("X", "1"), exec.env());
        assertEquals("/", exec.cwd());
        assertEquals(Tunables.NONE, exec.joinSpec().tunables());
    }

    @Test
    void aProcessFilesIdsAndSetsAreItsOwnWithinTheContainersBoundingSet() throws IOException {
        // podman leaves inheritable out (an empty set); ctr gives additional groups
        ExecProcess exec = read("{\"user\": {\"uid\": 1000, \"gid\": 100, \"additionalGids\": [0, 20]},"
                + " \"args\": [\"id\"], \"cwd\": \"/\", \"capabilities\": {\"bounding\": " + CAPS + ", \"effective\": "
                + CAPS + ", \"permitted\": " + CAPS + "}}");
        JoinSpec join = exec.joinSpec();
        assertEquals(OptionalLong.of(1000), join.credentials().orElseThrow().uid());
        assertEquals(OptionalLong.of(100), join.credentials().orElseThrow().gid());
        assertEquals(List.of(0L, 20L), join.credentials().orElseThrow().groups());
        assertEquals(Set.of(), join.capabilities().orElseThrow().inheritable());
        assertEquals(Set.of(Capability.CHOWN, Capability.KILL), join.capabilities().orElseThrow().effective());
    }

    @Test
    void itsLimitsAndUmaskAreItsOwn() throws IOException {
        ExecProcess exec = read("{\"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 63}, \"args\": [\"id\"],"
                + " \"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_NPROC\", \"hard\": 32768, \"soft\": 32768}]}");
        Tunables tunables = exec.joinSpec().tunables();
        assertEquals(OptionalInt.of(63), tunables.umask());
        assertEquals(List.of(Tunables.Rlimit.of("RLIMIT_NPROC", 32768, 32768)), tunables.rlimits());
    }

    @Test
    void whatExecCannotGiveIsRefusedByName() {
        assertTrue(refused("{\"args\": [\"id\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0}, \"capabilities\":"
                + " {\"bounding\": [\"CAP_SYS_ADMIN\"]}}")
                .contains("capabilities.bounding: [CAP_SYS_ADMIN] beyond the container's bounding set"));
        assertTrue(refused("{\"args\": [\"id\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0},"
                + " \"noNewPrivileges\": true}").contains("noNewPrivileges: an exec'd process has the container's"));
        assertTrue(refused("{\"args\": [\"id\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0},"
                + " \"terminal\": true}")
                .endsWith("terminal: exec with a terminal is not supported"));
        assertTrue(refused("{\"args\": [\"id\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0},"
                + " \"oomScoreAdj\": 999}").contains("oomScoreAdj 999: an exec'd process keeps the runtime's own"));
        assertTrue(refused("{\"args\": [\"id\"], \"cwd\": \"/\", \"user\": {\"uid\": 0, \"gid\": 0},"
                + " \"apparmorProfile\": \"p\"}").contains("apparmorProfile"));
    }
}
