package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.exit.Failure;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.RootFilesystem;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine;

class RunOptionsTest {
    private static final Map<String, String> CALLER = Map.of("PATH", "/bin", "HOME", "/root");

    private static ContainerSpec parse(String... args) {
        ParseResult result = Main.parse(args);
        CommandLine target = result.hasSubcommand() ? result.subcommand().commandSpec().commandLine()
                : result.commandSpec().commandLine();
        return ((LaunchCommand) target.getCommand()).options.toSpec(Fixtures.facts().environment(CALLER).build());
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
    void onlyTheFirstWordNamesASubcommand() {
        assertEquals(List.of("ps", "-ef"), parse("-p", "ps", "-ef").command());
        assertEquals(List.of("run"), parse("-p", "run").command());
        assertEquals(List.of("lsns"), parse("--", "lsns").command());
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
        assertThrows(Failure.class, () -> parse("-n"));
        assertThrows(Failure.class, () -> parse("-u", "bad-", "true"));
        assertThrows(Failure.class, () -> parse("-e", "=x", "true"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--monotonic", "soon", "true"));
        assertThrows(CommandLine.ParameterException.class, () -> parse("--bogus", "true"));
    }

    @Test
    void aRootFilesystemBringsMountPidUtsIpcAndCgroupNamespacesAndKeepsMountsInOrder() {
        ContainerSpec spec = parse("-R", "/img", "--tmpfs", "/t:size=1m", "-b", "/a:/x", "--ro-bind", "/b:/x/y",
                "--bind", "/c:/z:ro", "--tmpfs", "/u", "sh");
        assertEquals(EnumSet.of(Namespace.MOUNT, Namespace.PID, Namespace.UTS, Namespace.IPC, Namespace.CGROUP),
                spec.namespaces());
        assertEquals(Optional.of("isolate"), spec.hostname(), "a container without a name is called isolate");
        RootFilesystem root = spec.rootfs().orElseThrow();
        assertEquals("/img", root.image());
        assertEquals(List.of(new Mount.Tmpfs("/t", Optional.of("1m")), new Mount.Bind("/a", "/x", false),
                new Mount.Bind("/b", "/x/y", true), new Mount.Bind("/c", "/z", true),
                new Mount.Tmpfs("/u", Optional.empty())), root.mounts());
        assertEquals(Optional.empty(), root.overlay());
        assertEquals(Optional.of(new RootFilesystem.Overlay(Optional.of("/keep"))),
                parse("-R", "/img", "--overlay-upper", "/keep", "sh").rootfs().orElseThrow().overlay());
        assertTrue(parse("-R", "/img", "--overlay", "--read-only", "sh").rootfs().orElseThrow().readOnly());
    }

    @Test
    void mountOptionsNeedARootFilesystem() {
        for (String[] args : new String[][] {{"--bind", "/a:/b"}, {"--tmpfs", "/t"}, {"--read-only"}, {"--overlay"}}) {
            List<String> all = new java.util.ArrayList<>(List.of(args));
            all.add("sh");
            Failure e = assertThrows(Failure.class, () -> parse(all.toArray(String[]::new)));
            assertEquals(args[0] + ": needs a root filesystem (--rootfs)", e.getMessage());
        }
    }

    @Test
    void malformedMountsAreOneLineErrors() {
        assertEquals("--bind \"/a\": expected SRC:DST, SRC:DST:ro or SRC:DST:rw",
                assertThrows(Failure.class, () -> parse("-R", "/i", "--bind", "/a", "sh")).getMessage());
        assertThrows(Failure.class, () -> parse("-R", "/i", "--bind", "/a:/b:rx", "sh"));
        assertThrows(Failure.class, () -> parse("-R", "/i", "--ro-bind", "/a:/b:ro", "sh"));
        assertThrows(Failure.class, () -> parse("-R", "/i", "--tmpfs", "/t:mode=1", "sh"));
        assertThrows(Failure.class, () -> parse("-R", "/i", "--bind", "/a:../etc", "sh"));
        assertThrows(Failure.class, () -> parse("-R", "/i", "--bind", "/a:/../etc", "sh"));
    }

    @Test
    void propagationIsSpelledAsUnshareSpellsItAndNeedsAMountNamespace() {
        assertEquals(Propagation.SLAVE, parse("-m", "--propagation", "slave", "sh").propagation());
        assertEquals(Propagation.PRIVATE, parse("-m", "sh").propagation());
        assertEquals("--propagation: needs a new mount namespace (-m)",
                assertThrows(Failure.class, () -> parse("--propagation", "shared", "sh")).getMessage());
    }

    @Test
    void aBareNetworkMeansBridgeAndLeavesTheCommandAlone() {
        ContainerSpec bare = parse("--network", "-p", "sh");
        assertEquals(new NetworkMode.Bridge("isolate0"), bare.network().mode());
        assertEquals(List.of("sh"), parse("--network", "--", "sh").command());
        assertEquals(new NetworkMode.Slirp(), parse("--network", "slirp", "sh").network().mode());
        assertEquals(new NetworkMode.Bridge("br1"), parse("--network=bridge=br1", "sh").network().mode());
        assertTrue(bare.namespaces().contains(Namespace.NET));
        assertEquals(new NetworkMode.Isolated(), parse("-n", "sh").network().mode());
        assertEquals(new NetworkMode.Shared(), parse("sh").network().mode());
    }

    @Test
    void aWordAfterNetworkThatIsNoModeIsRefusedNotRun() {
        Failure typo = assertThrows(Failure.class, () -> parse("--network", "brige", "true"));
        assertEquals("--network brige: not a network mode (did you mean bridge?): expected none, host, veth,"
                + " bridge, ns:NAME, pid:PID or slirp", typo.getMessage());
        assertTrue(assertThrows(Failure.class, () -> parse("--network", "slirp4netns", "-p", "true"))
                .getMessage().contains("(did you mean slirp?)"));
        assertThrows(Failure.class, () -> parse("--network", "sh"));
    }

    @Test
    void dockersNetEqualsModeSaysWhatToWrite() {
        CommandLine.ParameterException e = assertThrows(CommandLine.ParameterException.class,
                () -> parse("--net=host", "true"));
        assertEquals("--net=host: -n/--net takes no value; for docker's --net=MODE write --network host",
                e.getMessage());
    }

    @Test
    void networkOptionsThatContradictAreRefused() {
        assertEquals("-n and --network host: -n asks for a new network namespace",
                assertThrows(Failure.class, () -> parse("-n", "--network", "host", "sh")).getMessage());
        assertThrows(Failure.class, () -> parse("--ip", "10.88.0.9", "sh"));
        assertEquals("--dns: needs a root filesystem (-R), whose /etc/resolv.conf it replaces",
                assertThrows(Failure.class, () -> parse("--network", "--dns", "10.0.0.53", "sh")).getMessage());
        assertTrue(assertThrows(Failure.class, () -> parse("-U", "--network", "ns:blue", "sh")).getMessage()
                .contains("cannot be entered from a new user namespace"));
    }
}
