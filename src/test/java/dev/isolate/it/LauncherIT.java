package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The real program on the real kernel, as root; {@link RootlessLauncherIT} runs it all again as nobody. */
class LauncherIT {
    private static final List<String> TYPES = List.of("user", "mnt", "uts", "ipc", "pid", "net", "cgroup", "time");

    /** How the tests run isolate. */
    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    /** Without privilege, any namespace brings a user namespace with it. */
    Set<String> alsoNew(Set<String> requested) {
        return requested;
    }
    private static final String PRINT_NAMESPACES =
            "for t in " + String.join(" ", TYPES) + "; do echo $t $(readlink /proc/self/ns/$t); done";

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    static Stream<Arguments> namespaceFlags() {
        return Stream.of(
                Arguments.of(List.of(), Set.of()),
                Arguments.of(List.of("-n"), Set.of("net")),
                Arguments.of(List.of("-p"), Set.of("pid", "mnt")),
                Arguments.of(List.of("-u", "box"), Set.of("uts")),
                Arguments.of(List.of("-m"), Set.of("mnt")),
                Arguments.of(List.of("-i"), Set.of("ipc")),
                Arguments.of(List.of("-C"), Set.of("cgroup")),
                Arguments.of(List.of("-T"), Set.of("time")),
                Arguments.of(List.of("-U"), Set.of("user")),
                Arguments.of(List.of("--user", "--net", "--pid", "--uts", "box", "--mount", "--ipc", "--cgroup",
                        "--time"), Set.copyOf(TYPES)));
    }

    @ParameterizedTest
    @MethodSource("namespaceFlags")
    void exactlyTheRequestedNamespacesAreNew(List<String> flags, Set<String> expectedNew) throws IOException {
        String[] args = Stream.concat(flags.stream(), Stream.of("sh", "-c", PRINT_NAMESPACES)).toArray(String[]::new);
        Result r = isolate().run(args);
        assertEquals(0, r.exit(), r.err());
        Set<String> different = new TreeSet<>();
        for (String line : r.out().strip().split("\n")) {
            String[] typeAndLink = line.split(" ");
            String mine = Files.readSymbolicLink(Path.of("/proc/self/ns", typeAndLink[0])).toString();
            if (!mine.equals(typeAndLink[1])) {
                different.add(typeAndLink[0]);
            }
        }
        assertEquals(new TreeSet<>(alsoNew(expectedNew)), different);
    }

    @Test
    void seedTranscript() {
        Result r = isolate().run("-npu", "myhost", "sh", "-c", "hostname; ps -ef; ip a");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("myhost", lines.get(0));
        assertTrue(lines.get(1).startsWith("UID") && lines.get(1).contains("PID"), "ps -ef header: " + lines);
        List<String[]> processes = lines.subList(2, 4).stream().map(l -> l.trim().split("\\s+", 8)).toList();
        assertEquals("1", processes.get(0)[1], "sh is PID 1: " + lines);
        assertEquals("sh -c hostname; ps -ef; ip a", processes.get(0)[7]);
        assertEquals("ps -ef", processes.get(1)[7]);
        assertTrue(lines.get(4).startsWith("1: lo:"), "only sh and ps are listed: " + lines);
        List<String> links = lines.subList(4, lines.size()).stream().filter(l -> l.matches("\\d+: .*")).toList();
        assertEquals(1, links.size(), "only lo exists: " + links);
        assertTrue(links.get(0).startsWith("1: lo: <LOOPBACK,UP,"), "lo is up: " + links);
        assertEquals("", r.err());
    }

    @Test
    void loopbackAnswers() {
        Result r = isolate().run("-n", "ping", "-c", "1", "-W", "2", "127.0.0.1");
        assertEquals(0, r.exit(), r.out() + r.err());
    }

    @Test
    void exitStatusIsTheCommands() {
        assertEquals(0, isolate().run("-p", "true").exit());
        assertEquals(1, isolate().run("-p", "false").exit());
        assertEquals(42, isolate().run("-p", "sh", "-c", "exit 42").exit());
        assertEquals(255, isolate().run("sh", "-c", "exit 255").exit());
    }

    @Test
    void deathBySignalIs128PlusItsNumber() {
        assertEquals(137, isolate().run("sh", "-c", "kill -KILL $$").exit());
        assertEquals(143, isolate().run("-n", "sh", "-c", "kill -TERM $$").exit());
    }

    @Test
    void commandNotFoundIs127() {
        Result r = isolate().run("-p", "no-such-command-anywhere");
        assertEquals(127, r.exit());
        assertEquals("isolate: exec \"no-such-command-anywhere\": No such file or directory\n", r.err());
        assertEquals(127, isolate().run("/no/such/file").exit());
        assertEquals("", r.out());
    }

    @Test
    void commandNotExecutableIs126() throws IOException {
        Path file = Files.createTempFile("isolate-it", ".txt"); // mode 600: nobody may execute it
        try {
            Result r = isolate().run(file.toString());
            assertEquals(126, r.exit());
            assertEquals("isolate: exec \"" + file + "\": Permission denied\n", r.err());
            assertEquals(126, isolate().run("/").exit());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void pathIsSearchedInTheCommandsEnvironment() throws IOException {
        Path dir = Files.createTempDirectory("isolate-it");
        Path tool = dir.resolve("hello-tool");
        try {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(tool, "#!/bin/sh\necho hello from $0\n");
            Files.setPosixFilePermissions(tool, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Result r = isolate().run("-e", "PATH=/nonexistent:" + dir, "hello-tool");
            assertEquals(0, r.exit(), r.err());
            assertEquals("hello from " + tool + "\n", r.out());
            assertEquals(127, isolate().run("hello-tool").exit());
        } finally {
            Files.delete(tool);
            Files.delete(dir);
        }
    }

    static Stream<List<String>> badInput() {
        return Stream.of(
                List.of("--bogus", "true"),
                List.of("-u", "bad_name", "true"),
                List.of("-u", "", "true"),
                List.of("-u"),
                List.of("--monotonic", "soon", "true"),
                List.of("-w"),
                List.of("-e", "=x", "true"),
                List.of("-p"),
                List.of("run"));
    }

    @ParameterizedTest
    @MethodSource("badInput")
    void badInputIsOneLineAndStatus125(List<String> args) {
        Result r = isolate().run(args.toArray(String[]::new));
        assertEquals(125, r.exit(), r.err());
        assertTrue(r.err().startsWith("isolate: "), r.err());
        assertEquals(1, r.err().lines().count(), "one line: " + r.err());
        assertEquals("", r.out());
    }

    @Test
    void anIdMapLongerThanTheKernelTakesIsRefusedBeforeTheLaunch() {
        List<String> args = new ArrayList<>(List.of("-U"));
        for (int i = 0; i < 340; i++) {
            args.addAll(List.of("--map-users", (4_000_000_000L + i) + ":" + (4_000_000_000L + i) + ":1"));
        }
        args.add("true");
        Result r = isolate().run(args.toArray(String[]::new));
        assertEquals(125, r.exit());
        assertEquals("isolate: uid map: 8160 bytes as the kernel reads it, more than the 4095 it takes (use fewer or"
                + " wider ranges)\n", r.err());
    }

    @Test
    void aJvmNotStartedAsIsolateNeedsIsRefusedWithOneLine() {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Isolate.REPO_SCRIPT.getParent().getParent().resolve("target/isolate.jar");
        Path stub = jar.resolveSibling("native/jni/x86_64-Linux");
        Result plain = Isolate.exec(List.of(java, "-Djffi.unsafe.disabled=true", "-Djffi.boot.library.path=" + stub,
                "-cp", jar.toString(), "dev.isolate.cli.Main", "-p", "true"), null);
        assertEquals(125, plain.exit());
        assertEquals("isolate: this JVM was not started as isolate needs: the JVM handles SIGINT (start the JVM with"
                + " -Xrs); run isolate through its launcher (bin/isolate as installed, scripts/isolate in a checkout)\n", plain.err());
        Result jarRun = Isolate.exec(List.of(java, "-Djffi.unsafe.disabled=true", "-Djffi.boot.library.path=" + stub,
                "-jar", jar.toString(), "-p", "true"), null);
        assertEquals(plain, jarRun, "java -jar without the launcher's settings is no way in either");
    }

    @Test
    void failedSetupStepIsNamedWithItsErrno() {
        Result r = isolate().run("-w", "/no/such/dir", "true");
        assertEquals(125, r.exit());
        assertEquals("isolate: chdir \"/no/such/dir\": No such file or directory\n", r.err());
    }

    @Test
    void isolateWritesNothingOfItsOwn() {
        Result r = isolate().run("-npumiCT", "h", "true");
        assertEquals(0, r.exit());
        assertEquals("", r.out());
        assertEquals("", r.err());
    }

    @Test
    void stdinStdoutAndStderrAreInherited() {
        Result r = isolate().runWithInput("hi\n", "-p", "sh", "-c", "cat; echo oops >&2");
        assertEquals("hi\n", r.out());
        assertEquals("oops\n", r.err());
    }

    @Test
    void environmentAndWorkdir() {
        Result r = isolate().run("--clear-env", "-e", "A=1", "-e", "B=two words", "-w", "/tmp", "/usr/bin/env");
        assertEquals("A=1\nB=two words\n", r.out());
        assertEquals("/tmp\n", isolate().run("-w", "/tmp", "pwd").out());
    }

    @Test
    void clockOffsetsInTheNewTimeNamespace() {
        Result r = isolate().run("--monotonic", "86400", "--boottime", "-5", "cat", "/proc/self/timens_offsets");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().map(l -> l.trim().replaceAll("\\s+", " ")).toList();
        assertEquals(List.of("monotonic 86400 0", "boottime -5 0"), lines);
    }

    @Test
    void onlyStandardDescriptorsAreInherited() {
        Result r = isolate().run("-p", "ls", "-l", "/proc/self/fd");
        assertEquals(Set.of("0", "1", "2"), openFds(r.out()));
    }

    @Test
    void descriptorsTheCallerPassesAreKept() {
        Result r = Isolate.exec(List.of("bash", "-c",
                "exec 7</etc/hostname; exec " + isolate().shellCommand("-p", "ls", "-l", "/proc/self/fd")), null);
        assertEquals(Set.of("0", "1", "2", "7"), openFds(r.out()));
    }

    /** Descriptors in an ls -l of /proc/self/fd, less ls's own handle on that directory. */
    private static Set<String> openFds(String listing) {
        return listing.lines().filter(l -> l.contains(" -> ") && !l.matches(".* -> /proc/\\d+/fd$"))
                .map(l -> l.substring(0, l.indexOf(" -> ")).replaceAll(".* ", ""))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void mountsMadeInsideNeverReachTheHost() throws IOException {
        List<String> before = HostMounts.snapshot();
        Result r = isolate().run("-p", "sh", "-c", "mount -t tmpfs isolate-it-tmpfs /mnt && grep -c isolate-it /proc/self/mountinfo");
        assertEquals(0, r.exit(), r.err());
        assertEquals("1\n", r.out());
        assertEquals(before, HostMounts.snapshot());
    }

    static Stream<Arguments> forwardedSignals() {
        return Stream.of("HUP", "INT", "QUIT", "USR1", "USR2", "TERM", "WINCH", "CONT")
                .flatMap(signal -> Stream.of(Arguments.of(signal, true), Arguments.of(signal, false)));
    }

    @ParameterizedTest(name = "{0}, new PID namespace: {1}")
    @MethodSource("forwardedSignals")
    void signalsArePassedOnToTheCommand(String signal, boolean pidNamespace) throws Exception {
        String script = "trap 'echo got " + signal + "; exit 42' " + signal
                + "; echo ready; while :; do sleep 0.05; done";
        Process isolate = pidNamespace ? isolate().start("-p", "sh", "-c", script) : isolate().start("sh", "-c", script);
        BufferedReader out = new BufferedReader(new InputStreamReader(isolate.getInputStream()));
        assertEquals("ready", Isolate.readLine(out));
        Isolate.kill(isolate.pid(), signal);
        assertEquals("got " + signal, Isolate.readLine(out));
        assertTrue(isolate.waitFor(Isolate.TIMEOUT_SECONDS, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(42, isolate.exitValue());
    }

    @Test
    void commandDiesWhenIsolateIsKilled() throws Exception {
        Process isolate = isolate().start("sh", "-c", "echo $$; exec sleep 600");
        long command = Long.parseLong(Isolate.readLine(new BufferedReader(new InputStreamReader(isolate.getInputStream()))));
        assertTrue(alive(command));
        assertFalse(Files.exists(Path.of("/tmp/.java_pid" + isolate.pid())),
                "no JVM attach socket, which a killed isolate would leave behind");
        Isolate.kill(isolate.pid(), "KILL");
        isolate.waitFor();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (alive(command) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(alive(command), "the command outlived isolate");
        assertEquals(0, isolate().run("gc").exit(), "the killed isolate's cgroup is gc's to remove");
    }

    /** A process that exists and is not a zombie. */
    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException gone) {
            return false;
        }
    }

    @Test
    void repeatedRunsLeaveNothingBehind() throws IOException {
        List<String> mounts = HostMounts.snapshot();
        for (int i = 0; i < 30; i++) {
            assertEquals(0, isolate().run("-npumiCT", "h", "true").exit());
        }
        assertEquals(mounts, HostMounts.snapshot());
        assertEquals(0, ProcessHandle.current().children().count(), "no zombies or strays");
    }
}
