package dev.isolate.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.StateStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetachTest {
    @TempDir
    Path containers;

    @Test
    void theJvmsPartIsAllButTheArgumentsWhateverStartedIt() {
        List<String> args = List.of("run", "-d", "sh", "-c", "");
        assertEquals(List.of("java", "-Xrs", "-cp", "isolate.jar", "dev.isolate.cli.Main"),
                Detach.jvmCommand(List.of("java", "-Xrs", "-Disolate.passed-fds=3,4", "-cp", "isolate.jar",
                        "dev.isolate.cli.Main", "run", "-d", "sh", "-c", ""), args),
                "the caller's descriptors stay with the caller");
        assertEquals(List.of("java", "-Xrs", "-jar", "isolate.jar"),
                Detach.jvmCommand(List.of("java", "-Xrs", "-jar", "isolate.jar", "run", "-d", "sh", "-c", ""), args),
                "without a main class on the command line, nothing is copied twice");
        assertThrows(Failure.class, () -> Detach.jvmCommand(List.of("java", "Main", "run", "-d", "true"), args));
    }

    @Test
    void theSecondIsolateSupervisesTheClaimedName() {
        assertEquals(List.of("run", "--supervise-detached", "--name", "n", "-d", "true"),
                Detach.supervisorArguments(List.of("run", "-d", "true"), List.of("--name", "n")));
        assertEquals(List.of("--supervise-detached", "-dp", "--name", "web", "true"),
                Detach.supervisorArguments(List.of("-dp", "--name", "web", "true"), List.of()));
    }

    @Test
    void aSupervisorThatRanTheCommandAndEndedMeanwhileIsASuccess() throws Exception {
        StateStore store = new StateStore(containers);
        ProcessIdentity self = ProcessIdentity.self();
        ContainerRecord claim = new ContainerRecord("quick", Optional.empty(), self, List.of(), List.of("true"),
                Instant.now(), Optional.empty(), Optional.empty(), List.of(), false);
        store.claim(claim);
        // Asked whether it lives, the supervisor has just recorded the command, run it and ended.
        assertTrue(Detach.awaitCommand(store, "quick", () -> {
            store.save(claim.running(self).exited(0, false));
            return false;
        }));
        store.claim(new ContainerRecord("failed", Optional.empty(), self, List.of(), List.of("true"), Instant.now(),
                Optional.empty(), Optional.empty(), List.of(), false));
        assertFalse(Detach.awaitCommand(store, "failed", () -> false), "ended without running it");
    }
}
