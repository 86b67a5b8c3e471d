package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HooksTest {
    @TempDir
    Path directory;

    private static Hook shell(String script, Optional<List<String>> env, OptionalInt timeout) {
        return new Hook("/bin/sh", List.of("/bin/sh", "-c", script), env, timeout);
    }

    @Test
    void eachRunsInOrderWithTheStateOnStdin() throws IOException {
        Path out = directory.resolve("out");
        Hooks.run("createRuntime", List.of(
                shell("echo first >> " + out + "; cat >> " + out, Optional.empty(), OptionalInt.empty()),
                shell("echo; echo second >> " + out, Optional.empty(), OptionalInt.of(5))), "{\"id\":\"c1\"}");
        assertEquals("first\n{\"id\":\"c1\"}second\n", Files.readString(out));
    }

    @Test
    void anEnvironmentReplacesTheRuntimes() throws IOException {
        Path out = directory.resolve("out");
        Hooks.run("prestart", List.of(shell("env > " + out, Optional.of(List.of("ONLY=this")), OptionalInt.empty())),
                "{}");
        List<String> env = new ArrayList<>(Files.readAllLines(out));
        env.removeIf(line -> line.startsWith("PWD=") || line.startsWith("SHLVL=") || line.startsWith("_="));
        assertEquals(List.of("ONLY=this"), env);
    }

    @Test
    void aFailureNamesTheHookAndQuotesWhatItSaid() {
        Failure failure = assertThrows(Failure.class, () -> Hooks.run("createRuntime", List.of(
                shell("echo broken >&2; exit 3", Optional.empty(), OptionalInt.empty()),
                shell("echo never", Optional.empty(), OptionalInt.empty())), "{}"));
        assertEquals("hooks.createRuntime /bin/sh: exit status 3: broken", failure.getMessage());
    }

    @Test
    void aHookPastItsTimeoutIsKilled() {
        long started = System.nanoTime();
        Failure failure = assertThrows(Failure.class, () -> Hooks.run("prestart",
                List.of(shell("exec sleep 30", Optional.empty(), OptionalInt.of(1))), "{}"));
        assertEquals("hooks.prestart /bin/sh: timed out after 1 s (killed)", failure.getMessage());
        assertTrue(System.nanoTime() - started < 10_000_000_000L);
    }

    @Test
    void warningsLetTheRestRun() throws IOException {
        Path out = directory.resolve("out");
        List<String> warnings = new ArrayList<>();
        Hooks.runWarning("poststop", List.of(shell("exit 1", Optional.empty(), OptionalInt.empty()),
                shell("echo ran > " + out, Optional.empty(), OptionalInt.empty())), "{}", warnings::add);
        assertEquals(List.of("hooks.poststop /bin/sh: exit status 1"), warnings);
        assertEquals("ran\n", Files.readString(out));
    }

    @Test
    void aHookMustBeRunnableAsGiven() {
        Failure notAbsolute = assertThrows(Failure.class, () -> new Hook("sh", List.of(), Optional.empty(),
                OptionalInt.empty()));
        assertEquals("hook \"sh\": path: not absolute", notAbsolute.getMessage());
        Failure argv0 = assertThrows(Failure.class, () -> Hooks.requireRunnable("poststart", List.of(
                new Hook("/usr/bin/nvidia-hook", List.of("nvidia-hook", "prestart"), Optional.empty(),
                        OptionalInt.empty()))));
        assertTrue(argv0.getMessage().startsWith("hooks.poststart: /usr/bin/nvidia-hook: args[0] \"nvidia-hook\""),
                argv0.getMessage());
    }
}
