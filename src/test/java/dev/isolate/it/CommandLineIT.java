package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What users type: each of these was once misread, or ran something other than what was typed. */
class CommandLineIT {
    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    private Path image;

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    @AfterEach
    void removeImage() {
        if (image != null) {
            TestImages.delete(image);
        }
    }

    private static void assertOneLine(Result r, int exit, String expected) {
        assertEquals(exit, r.exit(), r.err());
        assertEquals("isolate: " + expected + "\n", r.err());
    }

    @Test
    void aClusterAfterAnOptionsValueIsStillReadAsFlags() throws Exception {
        String hostIpc = Files.readSymbolicLink(Path.of("/proc/self/ns/ipc")).toString();
        Result r = isolate().run("-e", "A=1", "-pumiC", "h", "sh", "-c", "hostname; readlink /proc/self/ns/ipc; echo $A");
        assertEquals(0, r.exit(), r.err());
        String[] lines = r.out().split("\n");
        assertEquals("h", lines[0]);
        assertFalse(lines[1].equals(hostIpc), "a new IPC namespace");
        assertEquals("1", lines[2]);

        Result w = isolate().run("-w", "/tmp", "-npumiC", "h", "sh", "-c", "hostname; pwd");
        assertEquals("h\n/tmp\n", w.out(), w.err());

        image = TestImages.fresh(this instanceof RootlessCommandLineIT);
        Result rootfs = isolate().run("-R", image.toString(), "-npumiC", "h", "hostname");
        assertEquals("h\n", rootfs.out(), rootfs.err());
    }

    @Test
    void commandsArgumentsAreNeverRewritten() {
        Result r = isolate().run("-p", "echo", "run", "-nup", "x");
        assertEquals("run -nup x\n", r.out(), r.err());
        Result clusters = isolate().run("-p", "echo", "-umiC", "h");
        assertEquals("-umiC h\n", clusters.out(), clusters.err());
    }

    /** A mistyped --network mode is NetworkIT's, in a network namespace of its own. */
    @Test
    void dockersNetEqualsModeSaysWhatToWrite() {
        Result docker = isolate().run("--net=host", "true");
        assertOneLine(docker, 125, "--net=host: -n/--net takes no value; for docker's --net=MODE write"
                + " --network host; see isolate --help");
        assertEquals(0, isolate().run("--network", "host", "true").exit());
    }

    @Test
    void execTakesTheDocumentedDoubleDash() throws Exception {
        Process target = isolate().start("-u", "cli-exec", "sleep", "300");
        try {
            Thread.sleep(100);
            long pid = waitForChild(target);
            Result r = isolate().run("exec", Long.toString(pid), "--", "hostname");
            assertEquals("cli-exec\n", r.out(), r.err());
            Result dashes = isolate().run("exec", Long.toString(pid), "--");
            assertEquals(125, dashes.exit(), dashes.err());
        } finally {
            target.descendants().forEach(ProcessHandle::destroy);
            target.destroy();
            target.waitFor();
        }
    }

    /** The pid of the command the started isolate runs. */
    private static long waitForChild(Process isolate) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            List<ProcessHandle> children = isolate.descendants()
                    .filter(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false)).toList();
            if (!children.isEmpty()) {
                return children.get(0).pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the command did not start");
    }

    @Test
    void helpAndVersionAreCommandsToo() {
        Result help = isolate().run("help");
        assertEquals(0, help.exit(), help.err());
        assertTrue(help.out().startsWith("Usage: isolate [OPTIONS]"), help.out());
        Result helpStop = isolate().run("help", "stop");
        assertEquals(0, helpStop.exit(), helpStop.err());
        assertTrue(helpStop.out().startsWith("Usage: isolate stop"), helpStop.out());
        Result version = isolate().run("version");
        assertEquals(isolate().run("--version").out(), version.out());
        assertTrue(version.out().startsWith("isolate "), version.out());
        // Not the first word: a program of that name.
        assertEquals(127, isolate().run("--", "version").exit());
    }

    @Test
    void aMistypedCommandNameIsNamed() {
        Result r = isolate().run("stpo", "web");
        assertOneLine(r, 127, "exec \"stpo\": No such file or directory (not an isolate command either;"
                + " did you mean stop?)");
        Result far = isolate().run("nosuchprogram");
        assertOneLine(far, 127, "exec \"nosuchprogram\": No such file or directory");
    }

    @Test
    void unknownOptionsKeepTheirSuggestionOnOneLine() {
        assertOneLine(isolate().run("--rootf", "x", "true"), 125,
                "Unknown option: '--rootf' (did you mean --rootfs or --ro-bind?); see isolate --help");
        Result sub = isolate().run("ps", "--jsn");
        assertEquals(125, sub.exit());
        assertTrue(sub.err().endsWith("; see isolate ps --help\n"), sub.err());
        assertEquals(1, sub.err().lines().count(), sub.err());
    }

    @Test
    void userInputInAMessageCannotSplitItOrDriveTheTerminal() {
        Result r = isolate().run("gc", "a\nb\u001b[31m\u202e");
        assertEquals(125, r.exit());
        assertEquals(1, r.err().lines().count(), r.err());
        assertFalse(r.err().contains("\u001b") || r.err().contains("\u202e"), r.err());
        assertTrue(r.err().contains("a\\nb\\e[31m"), r.err());
        Result hostname = isolate().run("-u", "bad\tname", "true");
        assertEquals(125, hostname.exit());
        assertTrue(hostname.err().contains("bad\\tname"), hostname.err());
    }

    @Test
    void enumValuesAreListedAsTheyAreTyped() {
        assertOneLine(isolate().run("-m", "--propagation", "bogus", "true"), 125, "Invalid value for option"
                + " '--propagation': expected private, slave, shared or unchanged, but was 'bogus'; see isolate --help");
    }
}
