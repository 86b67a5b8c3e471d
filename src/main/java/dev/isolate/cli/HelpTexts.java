package dev.isolate.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Every command's --help, rendered by picocli from its model when isolate is built and kept
 * in the jar beside the classes. picocli lays a help text out anew at every call, and for
 * isolate's forty-odd run options that took longer than starting the JVM; the text depends
 * on nothing but the model (80 columns, no colour), so it is made once. The build runs
 * {@code java -cp CLASSES dev.isolate.cli.HelpTexts CLASSES} after compiling, and
 * CommandsTest checks each text against the model it came from.
 */
public final class HelpTexts {
    private HelpTexts() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: HelpTexts CLASSES");
            System.exit(2);
        }
        Path directory = Path.of(args[0]).resolve("dev/isolate/cli/help");
        Files.createDirectories(directory);
        // isolate's own help is that of isolate COMMAND, whose model lists no commands.
        write(Main.configured(new CommandLine(Commands.forArguments())), directory);
        for (CommandLine command : Main.configured(new CommandLine(Commands.all())).getSubcommands().values()) {
            writeWithSubcommands(command, directory);
        }
    }

    private static void writeWithSubcommands(CommandLine command, Path directory) throws IOException {
        write(command, directory);
        for (CommandLine sub : command.getSubcommands().values()) {
            writeWithSubcommands(sub, directory);
        }
    }

    private static void write(CommandLine command, Path directory) throws IOException {
        Files.writeString(directory.resolve(resource(command.getCommandSpec())), command.getUsageMessage(),
                StandardCharsets.ISO_8859_1);
    }

    /** This command's help, as the build rendered it. */
    static String of(CommandSpec command) {
        try (InputStream text = HelpTexts.class.getResourceAsStream("help/" + resource(command))) {
            if (text == null) {
                throw new IllegalStateException("no help text for " + command.qualifiedName() + " in the build");
            }
            return new String(text.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(CommandSpec command) {
        return command.qualifiedName("-") + ".txt";
    }
}
