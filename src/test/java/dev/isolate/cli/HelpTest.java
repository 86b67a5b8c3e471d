package dev.isolate.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;

/** Every command's --help, as picocli renders it at its width of 80 columns. */
class HelpTest {
    static Stream<Arguments> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(new CommandLine(Commands.all()), all);
        return all.stream().filter(c -> !c.getCommandName().equals("help"))
                .map(c -> Arguments.of(c.getCommandSpec().qualifiedName(), c));
    }

    private static void collect(CommandLine command, List<CommandLine> all) {
        all.add(command);
        command.getSubcommands().values().forEach(sub -> collect(sub, all));
    }

    private static String flowed(String text) {
        return text.replaceAll("\\s+", " ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void noWordIsSplitAcrossLines(String name, CommandLine command) {
        String help = flowed(command.getUsageMessage());
        List<String> texts = new ArrayList<>(List.of(command.getCommandSpec().usageMessage().description()));
        texts.addAll(List.of(command.getCommandSpec().usageMessage().footer()));
        for (ArgSpec arg : command.getCommandSpec().args()) {
            if (!arg.hidden()) {
                texts.addAll(List.of(arg.description()));
            }
        }
        List<String> split = texts.stream().flatMap(text -> Stream.of(text.split("\\s+")))
                .map(word -> word.replace("%n", "")).filter(word -> !help.contains(word)).toList();
        assertTrue(split.isEmpty(), name + ": split across lines: " + split + " in\n" + command.getUsageMessage());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void examplesAndFootersFitOnTheirLines(String name, CommandLine command) {
        String help = command.getUsageMessage();
        List<String> wrapped = Stream.of(command.getCommandSpec().usageMessage().footer())
                .filter(line -> !help.contains(line)).toList();
        assertTrue(wrapped.isEmpty(), name + ": wrapped: " + wrapped);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyPositionalIsDescribed(String name, CommandLine command) {
        command.getCommandSpec().positionalParameters().forEach(p -> assertFalse(
                String.join("", p.description()).isBlank(), command.getCommandName() + " " + p.paramLabel()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyCommandHasExamplesAndItsExitStatus(String name, CommandLine command) {
        var usage = command.getCommandSpec().usageMessage();
        assertTrue(usage.footerHeading().contains("Examples:") && usage.footer().length > 0, name);
        assertTrue(usage.exitCodeListHeading().contains("Exit status:") && !usage.exitCodeList().isEmpty(), name);
    }
}
