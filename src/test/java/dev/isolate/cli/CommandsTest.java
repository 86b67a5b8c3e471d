package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import dev.isolate.spec.Capability;
import dev.isolate.spec.ContainerSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/** Which models a command line builds, and what the hand-built models read back. */
class CommandsTest {
    @Test
    void everyNameHasItsCommand() {
        for (String name : Commands.NAMES) {
            assertEquals(Optional.of(name), Commands.named(name).map(CommandSpec::name), name);
        }
        assertEquals(Optional.empty(), Commands.named("bogus"));
        assertEquals(Commands.NAMES, List.copyOf(Commands.all().subcommands().keySet()));
    }

    @Test
    void aLoneHelpOrVersionBuildsNoRunOptionAndAnswersAsTheWholeModelDoes() {
        CommandSpec whole = Commands.forArguments();
        for (String word : List.of("-h", "--help", "-V", "--version")) {
            CommandSpec alone = Commands.forArguments(word);
            assertEquals(Set.of("--help", "--version"), alone.optionsMap().keySet().stream()
                    .filter(name -> name.startsWith("--")).collect(java.util.stream.Collectors.toSet()), word);
            assertEquals(HelpTexts.of(whole), HelpTexts.of(alone), word);
            assertEquals(List.of(whole.version()), List.of(alone.version()), word);
            assertFalse(Commands.startProcess(word), word);
        }
        assertTrue(Commands.forArguments("--help", "-p").optionsMap().containsKey("-p"));
        assertTrue(Commands.forArguments("-hp").optionsMap().containsKey("-p"));
    }

    @Test
    void onlyTheCommandTheFirstWordNamesIsBuilt() {
        assertEquals(List.of("ps"), List.copyOf(Commands.forArguments("ps", "-a").subcommands().keySet()));
        assertTrue(Commands.forArguments("-p", "ps").subcommands().isEmpty());
        assertTrue(Commands.forArguments().subcommands().isEmpty());
    }

    @Test
    void theCommandsThatStartAProcessAreKnownBeforeTheParse() {
        for (List<String> args : List.of(List.of("-npu", "sh"), List.of("sh"), List.of("run", "-d", "sh"),
                List.of("exec", "web", "sh"))) {
            assertTrue(Commands.startProcess(args.toArray(String[]::new)), args.toString());
        }
        for (List<String> args : List.<List<String>>of(List.of(), List.of("ps"), List.of("stop", "web"), List.of("lsns"),
                List.of("--version"), List.of("-h"))) {
            assertFalse(Commands.startProcess(args.toArray(String[]::new)), args.toString());
        }
    }

    @Test
    void aLaunchThatSaysItMakesNoCgroupIsToldBeforeTheParse() {
        for (List<String> args : List.of(List.of("--cgroup-manager", "disabled", "-npu", "sh"),
                List.of("run", "--cgroup-manager=disabled", "sh"), List.of("-p", "--cgroup-manager", "disabled"))) {
            assertFalse(Commands.mayMakeCgroup(args.toArray(String[]::new)), args.toString());
        }
        for (List<String> args : List.of(List.of("-npu", "sh"), List.of("--cgroup-manager", "cgroupfs", "sh"),
                List.of("--cgroup-manager"), List.of("--memory", "disabled", "sh"))) {
            assertTrue(Commands.mayMakeCgroup(args.toArray(String[]::new)), args.toString());
        }
    }

    /**
     * scripts/isolate picks a JVM cache by the kind of start, from the first word: the words
     * it lists for the kinds that are not launches (isolate's commands, those on named
     * containers) are exactly those of the starts that are not launches.
     */
    @Test
    void theLauncherTellsALaunchAsIsolateDoes() throws IOException {
        String launcher = Files.readString(Path.of("scripts/isolate"));
        Set<String> words = new TreeSet<>();
        for (String kind : List.of("commands", "containers")) {
            Matcher list = Pattern.compile("\\n\\s*([^\\n)]*)\\) starts=" + kind + " ;;").matcher(launcher);
            assertTrue(list.find(), "the launcher's list of words for " + kind);
            for (String word : list.group(1).split("\\s*\\|\\s*")) {
                assertTrue(words.add(word.equals("''") ? "" : word), word + " twice");
            }
        }
        Set<String> expected = new TreeSet<>(List.of("", "-h", "--help", "-V", "--version"));
        Commands.NAMES.stream().filter(name -> !Commands.startProcess(name)).forEach(expected::add);
        assertEquals(expected, words);
        assertTrue(Commands.startProcess("run") && Commands.startProcess("exec") && Commands.startProcess("-R"));
    }

    @Test
    void aMissingOperandIsRefused() {
        for (String name : List.of("stop", "rm", "kill", "logs", "exec")) {
            assertThrows(CommandLine.MissingParameterException.class, () -> Main.parse(name), name);
        }
        assertThrows(CommandLine.MissingParameterException.class, () -> Main.parse("exec", "web"));
        assertThrows(CommandLine.UnmatchedArgumentException.class, () -> Main.parse("kill", "web", "HUP", "x"));
        Main.parse("network", "rm");
        Main.parse("ns");
    }

    @Test
    void capabilityChangesApplyInTheOrderGiven() {
        ParseResult parsed = Main.parse("-R", "/img", "--cap-drop", "ALL", "--cap-add", "kill", "--cap-drop",
                "NET_RAW", "--cap-add", "CAP_NET_RAW", "sh");
        ContainerSpec spec = ((LaunchCommand) parsed.commandSpec().commandLine().getCommand()).options
                .toSpec(Fixtures.facts().environment(Map.of("PATH", "/bin")).build());
        assertEquals(Optional.of(EnumSet.of(Capability.KILL, Capability.NET_RAW)),
                spec.containment().capabilities().map(dev.isolate.spec.CapabilitySets::bounding));
    }

    @Test
    void theHelpTheBuildRenderedIsTheModelsOwn() {
        assertHelpIsRendered(Main.configured(new CommandLine(Commands.forArguments())));
        Main.configured(new CommandLine(Commands.all())).getSubcommands().values()
                .forEach(CommandsTest::assertHelpIsRendered);
    }

    private static void assertHelpIsRendered(CommandLine command) {
        assertEquals(command.getUsageMessage(), HelpTexts.of(command.getCommandSpec()), command.getCommandName());
        command.getSubcommands().values().forEach(CommandsTest::assertHelpIsRendered);
    }

    @Test
    void repeatedFlagsAreCounted() {
        ParseResult parsed = Main.parse("-vv", "-v", "true");
        assertEquals(3, ((LaunchCommand) parsed.commandSpec().commandLine().getCommand()).options.verbosity());
    }
}
