package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Capability;
import dev.isolate.state.ProcessIdentity;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ContainerStateTest {
    static final Hook LOG = new Hook("/usr/bin/logger", List.of("/usr/bin/logger", "-t", "hook"),
            Optional.of(List.of("A=1")), OptionalInt.of(5));

    static ContainerState sample() {
        return new ContainerState("c1", "/b", "/b/rootfs", Instant.parse("2026-12-01T10:00:00.123456789Z"),
                Map.of("org.example/key", "value"), new ContainerProcess(List.of("PATH=/bin"), "/",
                        Set.of(Capability.KILL, Capability.CHOWN), true,
                        Optional.of("{\"defaultAction\":\"SCMP_ACT_ERRNO\"}")),
                Optional.of(new ProcessIdentity(4242, 987654)),
                List.of("/sys/fs/cgroup/memory/isolate/c1"), List.of(LOG), List.of(), true);
    }

    @Test
    void whatIsStoredReadsBackTheSame() {
        ContainerState state = sample();
        ContainerState back = ContainerState.parse(state.stored(), "state.json");
        assertEquals(state.stored(), back.stored());
        assertEquals(state.process(), back.process());
        assertEquals(state.created(), back.created());
        assertEquals(List.of(LOG), back.poststart());
        assertEquals(state.containerProcess(), back.containerProcess());
    }

    @Test
    void beforeItsProcessExistsThereIsNoPid() {
        ContainerState creating = new ContainerState("c2", "/b", "/b/r", Instant.EPOCH, Map.of(),
                new ContainerProcess(List.of(), "/", Set.of(), false, Optional.empty()), Optional.empty(), List.of(),
                List.of(), List.of(), false);
        ContainerState back = ContainerState.parse(creating.stored(), "state.json");
        assertEquals(Optional.empty(), back.process());
        assertEquals(false, back.createFinished());
    }

    @Test
    void theSpecsStateWithRuncsExtraFields() throws IOException {
        Map<String, Object> json = JSON.std.mapFrom(sample().ociJson(Status.RUNNING, true));
        assertEquals(List.of("ociVersion", "id", "pid", "status", "bundle", "rootfs", "created", "annotations",
                "owner"), List.copyOf(json.keySet()));
        assertEquals("1.2.0", json.get("ociVersion"));
        assertEquals(4242, json.get("pid"));
        assertEquals("running", json.get("status"));
        assertEquals("/b", json.get("bundle"));
        assertEquals("2026-12-01T10:00:00.123456789Z", json.get("created"));
        assertEquals(Map.of("org.example/key", "value"), json.get("annotations"));
    }

    @Test
    void aStoppedContainerShowsPidZeroAsRuncDoes() throws IOException {
        Map<String, Object> json = JSON.std.mapFrom(sample().ociJson(Status.STOPPED, false));
        assertEquals(0, json.get("pid"));
        assertEquals("stopped", json.get("status"));
    }

    @Test
    void aFileIsolateRuntimeDidNotWriteIsOneLine() {
        for (String text : new String[] {"", "[]", "{\"id\": \"x\"}", "{not json"}) {
            Failure failure = assertThrows(Failure.class, () -> ContainerState.parse(text, "/r/x/state.json"));
            assertTrue(failure.getMessage().startsWith("/r/x/state.json: not a state file isolate-runtime wrote"),
                    failure.getMessage());
        }
    }
}
