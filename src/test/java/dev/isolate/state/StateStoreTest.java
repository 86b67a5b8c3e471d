package dev.isolate.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who holds a name, with real processes standing in for the isolates that supervise containers. */
class StateStoreTest {
    @TempDir
    Path containers;
    private final List<Process> sleepers = new ArrayList<>();

    @AfterEach
    void stopSleepers() {
        sleepers.forEach(Process::destroyForcibly);
    }

    /** A live process to be a container's supervisor. */
    private ProcessIdentity liveSupervisor() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        sleepers.add(sleeper);
        return ProcessIdentity.of(sleeper.pid()).orElseThrow();
    }

    /** A supervisor that has ended: this process, as it would be with another start time. */
    private static ProcessIdentity deadSupervisor() {
        ProcessIdentity self = ProcessIdentity.self();
        return new ProcessIdentity(self.pid(), self.startTime() + 1);
    }

    private static ContainerRecord starting(String name, ProcessIdentity supervisor) {
        return new ContainerRecord(name, Optional.empty(), supervisor, List.of("uts"), List.of("true"),
                Instant.parse("2026-12-01T00:00:00Z"), Optional.empty(), Optional.empty(), List.of(), false);
    }

    @Test
    void aRecordIsWrittenAsPropertiesStoreWritesItAndReadBack() throws Exception {
        List<String> argv = List.of("sh", " -c", "a=b: #!c \\ d", "tab\tnew\nline\rfeed\f", "\u0001\u007f\u00e9\u00ff",
                "");
        ContainerRecord record = new ContainerRecord("web", Optional.of(new ProcessIdentity(42, 7)),
                liveSupervisor(), List.of("uts", "pid"), argv, Instant.parse("2026-12-01T16:30:36.123456Z"),
                Optional.of(3), Optional.empty(), List.of("/sys/fs/cgroup/memory/isolate/isolate-1-2", "/sys/fs/cgroup/cpu,cpuacct/isolate/isolate-1-2"), true);
        Properties stored = new Properties();
        stored.load(new StringReader(StateStore.text(record)));
        StringWriter byStore = new StringWriter();
        stored.store(byStore, null);
        assertEquals(byStore.toString().lines().filter(line -> !line.startsWith("#")).sorted().toList(),
                StateStore.text(record).lines().toList(), "Properties.store's lines, sorted by key");
        StateStore store = new StateStore(containers);
        store.claim(record);
        assertEquals(Optional.of(record), store.load("web"));
    }

    @Test
    void aLiveContainersNameIsRefusedAndAnExitedOnesIsTakenOver() throws Exception {
        StateStore store = new StateStore(containers);
        ContainerRecord first = starting("web", liveSupervisor());
        store.claim(first);
        assertEquals("name \"web\": in use by a running container",
                assertThrows(Failure.class, () -> store.claim(starting("web", deadSupervisor()))).getMessage());

        store.claim(starting("old", deadSupervisor()).exited(0, false));
        ContainerRecord next = starting("old", liveSupervisor());
        store.claim(next);
        assertEquals(Optional.of(next), store.load("old"));
    }

    @Test
    void aNameWhoseClaimNeverFinishedIsReclaimable() throws Exception {
        StateStore store = new StateStore(containers);
        // What an isolate killed between making the directory and writing the record leaves.
        Files.createDirectory(containers.resolve("half"));
        assertEquals(List.of(), store.all());
        assertThrows(Failure.class, () -> store.get("half"));
        ContainerRecord record = starting("half", liveSupervisor());
        store.claim(record);
        assertEquals(Optional.of(record), store.load("half"));

        Files.createDirectory(containers.resolve("gone"));
        assertTrue(store.forget("gone"), "rm frees it too");
        assertFalse(Files.exists(containers.resolve("gone")));
        assertFalse(store.forget("gone"));
    }

    @Test
    void onlyTheHolderWritesOrRemovesTheRecord() throws Exception {
        StateStore store = new StateStore(containers);
        ContainerRecord lost = starting("db", deadSupervisor());
        store.claim(lost);
        ContainerRecord taker = starting("db", liveSupervisor());
        store.claim(taker);
        assertFalse(store.save(lost.exited(0, false)), "an isolate that lost its name does not write over the new record");
        assertFalse(store.remove(lost));
        assertEquals(Optional.of(taker), store.load("db"));
        assertEquals("db: running: stop it first, or use rm -f",
                assertThrows(Failure.class, () -> store.forget("db")).getMessage());
        assertTrue(store.save(taker.exited(4, false)));
        assertEquals(Optional.of(4), store.get("db").exitStatus());
        assertTrue(store.remove(taker));
        assertEquals(Optional.empty(), store.load("db"));
    }

    @Test
    void ofManyIsolatesTakingOverAnExitedNameExactlyOneGetsIt() throws Exception {
        StateStore store = new StateStore(containers);
        int contenders = 8;
        List<ProcessIdentity> supervisors = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
            supervisors.add(liveSupervisor());
        }
        ExecutorService pool = Executors.newFixedThreadPool(contenders);
        try {
            for (int round = 0; round < 40; round++) {
                String name = "race" + round;
                store.claim(starting(name, deadSupervisor()));
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> claims = new ArrayList<>();
                for (ProcessIdentity supervisor : supervisors) {
                    claims.add(pool.submit(() -> {
                        go.await();
                        try {
                            // Each contender is a separate store, as separate isolates are.
                            new StateStore(containers).claim(starting(name, supervisor));
                            return true;
                        } catch (Failure inUse) {
                            return false;
                        }
                    }));
                }
                go.countDown();
                List<ProcessIdentity> winners = new ArrayList<>();
                for (int i = 0; i < contenders; i++) {
                    if (claims.get(i).get()) {
                        winners.add(supervisors.get(i));
                    }
                }
                assertEquals(1, winners.size(), "round " + round + ": winners " + winners);
                assertEquals(winners.get(0), store.get(name).supervisor(), "the record is the winner's");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void namesAndPidsResolveToRunningProcesses() throws Exception {
        StateStore store = new StateStore(containers);
        ProcessIdentity supervisor = liveSupervisor();
        ProcessIdentity command = liveSupervisor();
        store.claim(starting("app", supervisor).running(command));
        assertEquals(command, store.resolve("app"));
        assertEquals(command, store.resolve(Long.toString(command.pid())));
        store.claim(starting("stopped", deadSupervisor()));
        assertEquals("stopped: not running", assertThrows(Failure.class, () -> store.resolve("stopped")).getMessage());
        assertEquals("no container named \"none\"", assertThrows(Failure.class, () -> store.resolve("none"))
                .getMessage());
        assertEquals("process 99999999999: no such process",
                assertThrows(Failure.class, () -> store.resolve("99999999999")).getMessage());
    }

    @Test
    void everyNameGoesThroughTheNameRuleBeforeAnyFileIsTouched() throws Exception {
        // A record that parses, one level up from the store: what ../D would reach.
        new StateStore(containers).claim(starting("D", deadSupervisor()).exited(0, false));
        StateStore store = new StateStore(Files.createDirectory(containers.resolve("inner")));
        for (String bad : List.of("../D", "..", ".", "", "_x", "-x", ".hidden", "a/b", "\u202ex", "\u00fc", "a\nb",
                "x".repeat(65))) {
            String message = "\"" + bad + "\": not a container name (up to 64 letters, digits, '_', '.' and '-',"
                    + " starting with a letter or digit)";
            for (Runnable use : List.<Runnable>of(() -> store.load(bad), () -> store.get(bad), () -> store.forget(bad),
                    () -> store.running(bad), () -> store.resolve(bad), () -> store.log(bad),
                    () -> store.claim(starting(bad, deadSupervisor())), () -> StateStore.requireValidTarget(bad))) {
                assertEquals(message, assertThrows(Failure.class, use::run).getMessage());
            }
        }
        assertTrue(Files.exists(containers.resolve("D/record")), "../D was left alone");
        assertEquals(List.of(), store.all());
        for (String good : List.of("a", "0", "web.1_b-c", "x".repeat(64))) {
            assertEquals(good, StateStore.requireValidName(good));
            assertEquals(Optional.empty(), store.load(good));
        }
    }

    @Test
    void aPidIsAsciiDigitsAndAnythingElseIsAName() {
        StateStore store = new StateStore(containers);
        assertEquals("12", StateStore.requireValidTarget("12"));
        assertEquals("web", StateStore.requireValidTarget("web"));
        // Character.isDigit would take these for a pid, and Long.parseLong would agree.
        assertEquals("\"\u0663\": not a container name (up to 64 letters, digits, '_', '.' and '-',"
                + " starting with a letter or digit)", assertThrows(Failure.class, () -> store.resolve("\u0663"))
                .getMessage());
    }
}
