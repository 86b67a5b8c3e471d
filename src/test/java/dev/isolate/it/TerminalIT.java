package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * -t on the real kernel, as root, with isolate on a real pseudo-terminal: util-linux script
 * runs a shell on one, which records the terminal's settings (stty -g) before and after isolate,
 * and isolate's exit status. {@link RootlessTerminalIT} runs it again as nobody.
 */
class TerminalIT {
    private Path image;
    private Path scratch;

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    boolean rootless() {
        return false;
    }

    @BeforeEach
    void root() throws IOException {
        Privileged.requireRoot();
        image = TestImages.fresh(rootless());
        scratch = Files.createTempDirectory(Path.of("/tmp"), "isolate-terminal");
    }

    @AfterEach
    void removeScratch() {
        TestImages.delete(scratch);
    }

    @Test
    void theCommandsTerminalIsTheFirstOfTheContainersOwnDevpts() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "-R", image.toString(), "sh", "-c",
                "tty; ls -l /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2")) {
            assertEquals(0, outer.status(), outer.output());
            assertTrue(outer.output().contains("/dev/pts/0\r\n"), outer.output());
            assertEquals(3, outer.output().split("-> /dev/pts/0", -1).length - 1, "stdin, stdout and stderr: " + outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void withoutARootFilesystemTheTerminalIsTheHostsAndStillItsOwn() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "sh", "-c", "tty; ps -o sid=,tpgid= -p $$")) {
            assertEquals(0, outer.status(), outer.output());
            String inner = outer.output().lines().findFirst().orElse("").strip();
            assertTrue(inner.startsWith("/dev/pts/") && !inner.equals(outer.tty()), outer.output()
                    + " (the outer terminal is " + outer.tty() + ")");
            String[] session = outer.output().lines().skip(1).findFirst().orElse("").strip().split("\\s+");
            assertEquals(session[0], session[1], "a session of its own, and its shell the foreground: " + outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void theTerminalBelongsToTheUserOfDashS() throws Exception {
        String uid = rootless() ? "0" : "1000"; // nobody's user namespace maps uid 0 alone
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "-R", image.toString(), "-S", uid, "sh", "-c",
                "id -u; stat -c '%u %G %a' /dev/pts/0")) {
            assertEquals(0, outer.status(), outer.output());
            assertEquals(List.of(uid, uid + " root 620"), outer.output().lines().map(String::strip).toList());
        }
    }

    @Test
    void theWindowSizeFollowsTheOuterTerminal() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "-R", image.toString(), "sh", "-c",
                "stty size; while read line; do stty size; done; echo done")) {
            outer.await("24 80\r\n");
            TestImages.run(List.of("stty", "-F", outer.tty(), "rows", "33", "cols", "77"));
            // Each line asks again: the size arrives through a signal, asynchronously.
            for (int i = 0; i < 50 && !outer.output().contains("33 77\r\n"); i++) {
                outer.type("\n");
                Thread.sleep(100);
            }
            outer.await("33 77\r\n");
            outer.type("\u0004"); // Ctrl-D: the end of the loop's input, on the command's own terminal
            outer.await("done\r\n");
            assertEquals(0, outer.status(), outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void keysReachTheCommandRawAndItsTerminalDoesTheRest() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "-R", image.toString(), "sh")) {
            outer.await("# ");
            outer.type("echo $((6 * 7)); exit 3\r"); // Enter sends CR: the command's terminal makes it a newline
            assertEquals(3, outer.status(), outer.output());
            assertTrue(outer.output().contains("\r\n42\r\n"), outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void aCommandKilledBySignalNEndsWith128PlusN() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "sh", "-c", "kill -TERM $$")) {
            assertEquals(143, outer.status(), outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void theCallersTerminalIsRestoredAfterKillDashNineOfTheCommand() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "-R", image.toString(), "sh", "-c",
                "echo ready; exec sleep 1001")) {
            outer.await("ready\r\n");
            long sleep = outer.descendant("sleep\u00001001\u0000");
            Isolate.kill(sleep, "KILL");
            assertEquals(137, outer.status(), outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void aSignalToIsolateIsForwardedAndTheTerminalRestored() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "sh", "-c", "echo ready; exec sleep 1002")) {
            outer.await("ready\r\n");
            long isolate = ProcessHandle.of(outer.descendant("sleep\u00001002\u0000")).flatMap(ProcessHandle::parent)
                    .orElseThrow().pid();
            Isolate.kill(isolate, "TERM");
            assertEquals(143, outer.status(), outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void aFailedLaunchLeavesTheTerminalAsItWas() throws Exception {
        try (OuterTerminal outer = OuterTerminal.start(this, "-t", "-R", image.toString(), "no-such-command")) {
            assertEquals(127, outer.status(), outer.output());
            assertEquals("isolate: exec \"no-such-command\": No such file or directory\r\n", outer.output());
            outer.assertSettingsUnchanged();
        }
    }

    @Test
    void withAPipeAsStdinEndOfFileEndsTheShell() {
        Result r = isolate().runWithInput("echo $((6 * 7)); exit 3\n", "-t", "-R", image.toString(), "sh");
        assertEquals(3, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("\r\n42\r\n"), r.out());
        assertEquals("", r.err(), "stderr is the command's terminal too");
        Result eof = isolate().runWithInput("", "-t", "-R", image.toString(), "sh", "-c", "cat; echo \"cat: $?\"");
        assertEquals(new Result(0, "cat: 0\r\n", ""), eof, "end-of-file reaches cat as a terminal's");
        Result tty = isolate().runWithInput("", "-t", "-R", image.toString(), "tty");
        assertEquals(new Result(0, "/dev/pts/0\r\n", ""), tty);
    }

    @Test
    void withoutDashTNothingIsRelayed() {
        Result r = isolate().runWithInput("", "-R", image.toString(), "tty");
        assertEquals(new Result(1, "not a tty\n", ""), r, "stdio are the caller's own descriptors");
    }

    /** A pseudo-terminal with a shell on it (util-linux script) that runs isolate. */
    static final class OuterTerminal implements AutoCloseable {
        private final Process script;
        private final OutputStream keys;
        private final ByteArrayOutputStream screen = new ByteArrayOutputStream();
        private final Thread reader;
        private final Path dir;

        private OuterTerminal(Process script, Path dir) {
            this.script = script;
            this.keys = script.getOutputStream();
            this.dir = dir;
            InputStream out = script.getInputStream();
            reader = new Thread(() -> {
                byte[] buffer = new byte[4096];
                try {
                    for (int n; (n = out.read(buffer)) > 0; ) {
                        synchronized (screen) {
                            screen.write(buffer, 0, n);
                        }
                    }
                } catch (IOException e) {
                    // the terminal went away
                }
            });
            reader.start();
        }

        /** Runs isolate with these arguments on a fresh 24x80 terminal. */
        static OuterTerminal start(TerminalIT test, String... args) throws IOException {
            Path dir = test.scratch;
            String line = "stty rows 24 cols 80; tty > " + dir.resolve("tty") + "; stty -g > " + dir.resolve("before")
                    + "; " + test.isolate().shellCommand(args) + "; echo $? > " + dir.resolve("status")
                    + "; stty -g > " + dir.resolve("after");
            Process script = new ProcessBuilder("env", "--default-signal", "script", "-qfec", line, "/dev/null")
                    .directory(Path.of("/tmp").toFile()).redirectErrorStream(true).start();
            return new OuterTerminal(script, dir);
        }

        String output() {
            synchronized (screen) {
                return screen.toString(StandardCharsets.UTF_8);
            }
        }

        void type(String text) throws IOException {
            keys.write(text.getBytes(StandardCharsets.UTF_8));
            keys.flush();
        }

        void await(String text) throws InterruptedException {
            for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(Isolate.TIMEOUT_SECONDS); !output().contains(text); ) {
                if (System.nanoTime() > end) {
                    throw new AssertionError("no " + text.strip() + " on the terminal: " + output());
                }
                Thread.sleep(20);
            }
        }

        /** The outer terminal's name, once the shell has written it. */
        String tty() throws IOException, InterruptedException {
            Path file = dir.resolve("tty");
            for (int i = 0; i < 500 && (!Files.exists(file) || Files.size(file) == 0); i++) {
                Thread.sleep(20);
            }
            return Files.readString(file).strip();
        }

        /** isolate's exit status, once the shell has run to its end. */
        int status() throws InterruptedException, IOException {
            if (!script.waitFor(Isolate.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                throw new AssertionError("isolate did not end: " + output());
            }
            reader.join(TimeUnit.SECONDS.toMillis(10));
            return Integer.parseInt(Files.readString(dir.resolve("status")).strip());
        }

        void assertSettingsUnchanged() throws IOException {
            assertEquals(Files.readString(dir.resolve("before")), Files.readString(dir.resolve("after")),
                    "the outer terminal's stty -g before and after isolate");
        }

        /** The pid of the one process below the terminal's shell whose /proc/PID/cmdline is this. */
        long descendant(String cmdline) {
            List<Long> found = script.descendants().map(ProcessHandle::pid)
                    .filter(pid -> cmdline(pid).filter(cmdline::equals).isPresent()).toList();
            assertEquals(1, found.size(), "processes running " + cmdline.replace('\0', ' ') + ": " + found);
            return found.get(0);
        }

        private static Optional<String> cmdline(long pid) {
            try {
                return Optional.of(Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.ISO_8859_1));
            } catch (IOException | UncheckedIOException e) {
                return Optional.empty(); // ended meanwhile
            }
        }

        @Override
        public void close() throws IOException {
            keys.close();
            script.descendants().forEach(ProcessHandle::destroyForcibly);
            script.destroyForcibly();
        }
    }
}
