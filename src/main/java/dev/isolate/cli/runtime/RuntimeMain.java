package dev.isolate.cli.runtime;

import dev.isolate.exit.Failure;
import dev.isolate.exit.Messages;
import dev.isolate.host.CallerBytes;
import dev.isolate.runtime.RuntimeLog;
import dev.isolate.sys.Trampoline;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import picocli.CommandLine;

/**
 * isolate-runtime's entry point: the same jar as isolate, started by its launcher under this
 * name. A failed operation ends with status 1, as runc's do, its reason on stderr as one line
 * and in --log, in the format engines read.
 */
public final class RuntimeMain {
    /** runc's status for every failed operation. */
    static final int FAILED = 1;

    private RuntimeMain() {
    }

    /** Runs isolate-runtime with these arguments (byte strings) and returns its exit status. */
    public static int execute(String[] args, PrintStream out, PrintStream err) {
        if (!Trampoline.supported()) {
            err.println("isolate-runtime: unsupported platform " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + ": isolate runs on x86-64 Linux only");
            return FAILED;
        }
        RuntimeCommands commands = new RuntimeCommands(CallerBytes.environment(), out);
        CommandLine cli = new CommandLine(commands.model(args));
        // As runc's parser, options end at the first operand: exec ID sh -c ... gives -c to sh, ps ID -ef to ps.
        cli.setStopAtPositional(true);
        cli.setOut(new PrintWriter(new OutputStreamWriter(out, StandardCharsets.ISO_8859_1), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(err, StandardCharsets.ISO_8859_1), true));
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cli.setParameterExceptionHandler((e, rejected) -> {
            String command = e.getCommandLine().getCommandSpec().qualifiedName();
            return failed(commands, err, unknownCommand(e).orElse(e.getMessage()) + "; see " + command + " --help");
        });
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof Failure failure) {
                return failed(commands, err, failure.getMessage());
            }
            int status = failed(commands, err, "internal error: " + e);
            if (commands.debugging()) {
                e.printStackTrace(err);
            }
            return status;
        });
        return cli.execute(args);
    }

    /** The first word after the global options names no command of isolate-runtime's. */
    private static Optional<String> unknownCommand(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched && e.getCommandLine().getParent() == null
                && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
            return Optional.of("unknown command \"" + unmatched.getUnmatched().get(0) + "\" (runc's pause, resume,"
                    + " update, checkpoint, restore and events are not supported)");
        }
        return Optional.empty();
    }

    /** The one line on stderr, and the same in --log (which may itself be what failed). */
    private static int failed(RuntimeCommands commands, PrintStream err, String message) {
        err.println(Messages.line("isolate-runtime: " + message));
        RuntimeLog log = commands.log();
        try {
            log.error(message);
        } catch (Failure unwritable) {
            err.println(Messages.line("isolate-runtime: " + unwritable.getMessage()));
        }
        return FAILED;
    }

    /** Called by isolate's main when the launcher started it as isolate-runtime; the streams are set up. */
    public static void main(String[] args) {
        int status = execute(CallerBytes.arguments(args), System.out, System.err);
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(status);
    }
}
