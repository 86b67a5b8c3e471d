package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.SpecException;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

class RunOptionsTest {
    private static final Map<String, String> CALLER = Map.of("PATH", "/bin", "HOME", "/root");

    private static ContainerSpec parse(String... args) {
        CommandLine cli = Main.commandLine();
        ParseResult result = cli.parseArgs(Clusters.expand(args));
        CommandLine target = result.hasSubcommand() ? result.subcommand().commandSpec().commandLine() : cli;
        return ((LaunchCommand) target.getCommand()).options.toSpec(CALLER, Fixtures.ROOT,
                Fixtures.NO_SUBORDINATES);
    }

    @Test
    void seedCommandLine() {
        ContainerSpec spec = parse("-npu", "myhost", "bash");
        assertEquals(EnumSet.of(Namespace.NET, Namespace.PID, Namespace.MOUNT, Namespace.UTS), spec.namespaces());
        assertEquals(Optional.of("myhost"), spec.hostname());
        assertEquals(List.of("bash"), spec.command());
    }

    @Test
    void benchCommandLineCreatesSixNamespacesAndRunsTrue() {
        ContainerSpec spec = parse("-npumiC", "h", "true");
        assertEquals(EnumSet.of(Namespace.NET, Namespace.PID, Namespace.MOUNT, Namespace.UTS, Namespace.IPC,
                Namespace.CGROUP), spec.namespaces());
        assertEquals(Optional.of("h"), spec.hostname());
        assertEquals(List.of("true"), spec.command());
    }

    @Test
    void runSubcommandTakesTheSameOptions() {
        assertEquals(parse("-npu", "x", "sh"), parse("run", "-npu", "x", "sh"));
    }

    @Test
    void optionsAfterTheCommandBelongToIt() {
        ContainerSpec spec = parse("-p", "ls", "-l", "-n");
        assertEquals(List.of("ls", "-l", "-n"), spec.command());
        assertEquals(EnumSet.of(Namespace.PID, Namespace.MOUNT), spec.namespaces());
    }

    @Test
    void clockOffsetsImplyATimeNamespace() {
        ContainerSpec spec = parse("--monotonic", "-5", "--boottime", "86400", "true");
        assertTrue(spec.namespaces().contains(Namespace.TIME));
        assertEquals(-5, spec.timeOffsets().monotonicSeconds());
        assertEquals(86400, spec.timeOffsets().boottimeSeconds());
    }

    @Test
    void environmentAndWorkdir() {
        ContainerSpec spec = parse("--clear-env", "-e", "A=1", "-e", "HOME", "-e", "NOPE", "-w", "/tmp", "env");
        assertEquals(Map.of("A", "1", "HOME", "/root"), spec.environment());
        assertEquals(Optional.of("/tmp"), spec.workdir());
    }

    @Test
    void inheritedEnvironmentByDefault() {
        assertEquals(CALLER, parse("env").environment());
    }

    @Test
    void badInputIsRefused() {
        assertThrows(SpecException.class, () -> parse("-n"));
        assertThrows(SpecException.class, () -> parse("-u", "-bad-", "true"));
        assertThrows(SpecException.class, () -> parse("-e", "=x", "true"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--monotonic", "soon", "true"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--bogus", "true"));
    }
}
