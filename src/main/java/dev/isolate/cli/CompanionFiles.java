package dev.isolate.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes what accompanies the program from the same picocli model as {@code --help}, so that
 * the two cannot drift: a man page (AsciiDoc, for asciidoctor's manpage backend) for isolate and
 * each of its commands, and bash and zsh completion. The build runs it in the package phase:
 * {@code java -cp isolate.jar:picocli-codegen.jar dev.isolate.cli.CompanionFiles DIR} writes
 * DIR/man/*.adoc, DIR/completion/isolate (bash) and DIR/completion/_isolate (zsh).
 * picocli-codegen is a build-time dependency only: nothing at run time loads this class.
 */
public final class CompanionFiles {
    private static final Pattern BASH_FUNCTION = Pattern.compile("^complete -F (\\S+)", Pattern.MULTILINE);

    private CompanionFiles() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: CompanionFiles DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        CommandLine model = model();
        writeManPages(model, dir.resolve("man"));
        writeCompletion(model, dir.resolve("completion"));
    }

    /**
     * Every command of isolate's, whatever the first word: {@code Main} drops the commands
     * from its parser when that word is not one of them, the generators need them all.
     */
    public static CommandLine model() {
        return new CommandLine(Commands.all());
    }

    private static void writeManPages(CommandLine model, Path dir) throws IOException {
        Files.createDirectories(dir);
        forEachCommand(model.getCommandSpec(), CompanionFiles::fitForManPage);
        int status = ManPageGenerator.generateManPage(dir.toFile(), null, new boolean[0], false, model.getCommandSpec());
        if (status != CommandLine.ExitCode.OK) {
            throw new IOException("picocli's ManPageGenerator failed with status " + status);
        }
    }

    /**
     * A man page's NAME line needs a purpose, which the generator takes from the header or else
     * the first line of the description: the description's first sentence is that purpose
     * (isolate's own description starts with an empty line). A synopsis of several lines
     * needs AsciiDoc's hard line breaks, or the man page runs them into one paragraph.
     */
    private static void fitForManPage(CommandSpec spec) {
        var usage = spec.usageMessage();
        if (usage.header().length == 0) {
            String description = String.join(" ", Arrays.stream(usage.description()).map(String::strip).toList()).strip();
            int end = description.indexOf(". ");
            usage.header(end < 0 ? description : description.substring(0, end + 1));
        }
        String[] synopsis = usage.customSynopsis();
        if (synopsis.length > 1) {
            String[] lines = new String[synopsis.length];
            for (int i = 0; i < synopsis.length; i++) {
                lines[i] = synopsis[i].strip() + (i < synopsis.length - 1 ? " +" : "");
            }
            usage.customSynopsis(lines);
        }
    }

    private static void forEachCommand(CommandSpec spec, Consumer<CommandSpec> action) {
        action.accept(spec);
        spec.subcommands().values().forEach(sub -> forEachCommand(sub.getCommandSpec(), action));
    }

    /**
     * picocli's script serves both shells: bash sources it; zsh autoloads _isolate from its
     * fpath on the first completion, so that file is the same script (which loads zsh's
     * bashcompinit) followed by the call that answers this first completion. zsh parses an
     * autoloaded file whole before running it, so the script's own alias of bash's compopt
     * comes too late for its functions: compopt, which only tunes bash's fallback to file
     * names, does nothing in zsh instead.
     */
    private static void writeCompletion(CommandLine model, Path dir) throws IOException {
        Files.createDirectories(dir);
        String name = model.getCommandName();
        String bash = AutoComplete.bash(name, model);
        Matcher function = BASH_FUNCTION.matcher(bash);
        if (!function.find()) {
            throw new IOException("picocli's completion script registers no function");
        }
        Files.writeString(dir.resolve(name), bash);
        Files.writeString(dir.resolve("_" + name), "#compdef " + name + "\ncompopt() { :; }\n" + bash
                + "\n_bash_complete -F " + function.group(1) + " -o default\n");
    }
}
