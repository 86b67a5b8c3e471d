package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.operand;

import dev.isolate.exit.Failure;
import dev.isolate.spec.Spelling;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate help [COMMAND]}: the same text as {@code isolate [COMMAND] --help}. */
final class HelpCommand implements Callable<Integer> {
    private final PositionalParamSpec topic = operand("0", "0..1", "COMMAND",
            "The command to show the help of (isolate's own without one).");

    private HelpCommand() {
    }

    static CommandSpec spec() {
        HelpCommand help = new HelpCommand();
        return CommandModel.command("help", help)
                .description("Show the help of isolate or of one of its commands, as --help does.", "")
                .doneExitStatus()
                .examples("  isolate help            isolate's own options",
                        "  isolate help stop       the same as isolate stop --help")
                .add(help.topic)
                .spec();
    }

    @Override
    public Integer call() {
        Optional<String> name = CommandModel.value(topic);
        CommandLine root = Main.commandLine(name.stream().toArray(String[]::new));
        CommandLine shown = name.isEmpty() ? root : Optional.ofNullable(root.getSubcommands().get(name.get()))
                .orElseThrow(() -> Failure.input("help " + name.get() + ": not a command of isolate's"
                        + Spelling.nearest(name.get(), Commands.NAMES).map(near -> " (did you mean " + near + "?)")
                                .orElse("")));
        System.out.print(HelpTexts.of(shown.getCommandSpec()));
        System.out.flush();
        return 0;
    }
}
