package dev.isolate.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping several containers, with real processes standing in for their commands. */
class LifecycleTest {
    @TempDir
    Path containers;
    private final List<Process> commands = new ArrayList<>();

    @AfterEach
    void killCommands() {
        commands.forEach(Process::destroyForcibly);
    }

    /** A command that ignores SIGTERM (an ignored signal stays ignored across exec). */
    private ProcessIdentity stubborn() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", "trap '' TERM; exec sleep 60").start();
        commands.add(p);
        ProcessIdentity identity = ProcessIdentity.of(p.pid()).orElseThrow();
        for (int i = 0; i < 200 && !ProcessHandle.of(p.pid()).flatMap(h -> h.info().command()).orElse("")
                .endsWith("sleep"); i++) {
            TimeUnit.MILLISECONDS.sleep(10); // until the trap is set and sleep runs
        }
        return identity;
    }

    /** A record whose supervisor has ended, as one killed with its container would leave. */
    private static ContainerRecord running(String name, ProcessIdentity command) {
        ProcessIdentity self = ProcessIdentity.self();
        return new ContainerRecord(name, Optional.of(command), new ProcessIdentity(self.pid(), self.startTime() + 1),
                List.of(), List.of("sleep", "60"), Instant.now(), Optional.empty(), Optional.empty(), List.of(), false);
    }

    @Test
    void containersThatIgnoreTermShareOneGracePeriod() throws Exception {
        StateStore store = new StateStore(containers);
        List<ContainerRecord> stopping = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ContainerRecord record = running("c" + i, stubborn());
            store.claim(record);
            stopping.add(record);
        }
        List<String> ended = Collections.synchronizedList(new ArrayList<>());
        long before = System.nanoTime();
        List<ContainerRecord> stuck = Lifecycle.stop(store, stopping, Duration.ofSeconds(1), r -> ended.add(r.name()));
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
        assertEquals(List.of(), stuck);
        assertEquals(List.of("c0", "c1", "c2", "c3", "c4"), ended.stream().sorted().toList());
        assertTrue(millis >= 1000, "waited the grace period: " + millis + " ms");
        assertTrue(millis < 4000, "one grace period for all five, not five in turn: " + millis + " ms");
        for (ContainerRecord record : stopping) {
            assertFalse(record.command().orElseThrow().alive(), record.name());
        }
        for (Process command : commands) {
            assertTrue(command.waitFor(5, TimeUnit.SECONDS));
            assertEquals(137, command.exitValue(), "SIGKILL, after TERM was ignored");
        }
    }

    @Test
    void whatEndsOnTermIsReportedWithoutWaitingForTheGracePeriod() throws Exception {
        StateStore store = new StateStore(containers);
        Process willing = new ProcessBuilder("sleep", "60").start();
        commands.add(willing);
        ContainerRecord record = running("willing", ProcessIdentity.of(willing.pid()).orElseThrow());
        store.claim(record);
        List<String> ended = new ArrayList<>();
        long before = System.nanoTime();
        assertEquals(List.of(), Lifecycle.stop(store, List.of(record), Duration.ofSeconds(30), r -> ended.add(r.name())));
        assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(10), "did not wait 30 s");
        assertEquals(List.of("willing"), ended);
        assertTrue(willing.waitFor(5, TimeUnit.SECONDS));
        assertEquals(143, willing.exitValue());
    }
}
