package dev.isolate.cli;

import dev.isolate.cli.runtime.RuntimeMain;
import dev.isolate.exit.Messages;
import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.CallerBytes;
import dev.isolate.host.JvmSetup;
import dev.isolate.host.cgroup.GracePeriod;
import dev.isolate.spec.Spelling;
import dev.isolate.startup.JvmCache;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Trampoline;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.UnmatchedArgumentException;

/** Entry point: parse, run, and exit with the status the user's scripts rely on. */
public final class Main {
    /** How many -v were given; decides whether an internal error shows its stack trace. */
    static int verbosity;

    private Main() {
    }

    /**
     * Every string taken from the caller is a byte string (see sys.ByteStrings): the
     * arguments come from /proc/self/cmdline rather than the JVM's decoded copies, and stdout
     * and stderr write one byte per char, so that a message quoting an argument gives back
     * its bytes. isolate's own texts are ASCII, which ISO-8859-1 writes as ASCII does.
     */
    public static void main(String[] args) {
        // isolate formats nothing by the caller's locale (its numbers go through Locale.ROOT), yet
        // jffi's loader formats a %d, and Formatter sets up the JDK's locale data for it: a fifth
        // of a launch's CPU, interpreted. On JDK 17 Formatter skips that for Locale.US; on later
        // JDKs it always looks, and the CLDR provider's list of every locale it has is the cost.
        // Linux has no host provider, so HOST leaves the JDK's fallback provider, root data only.
        Locale.setDefault(Locale.US);
        System.setProperty("java.locale.providers", "HOST");
        // For isolate's parser and isolate-runtime's: picocli would otherwise look up its
        // converters for java.time and java.sql types by reflection at every start (no option
        // has such a type), and look for Groovy on the class path: a miss that opens and
        // searches every jar on it, which the JVM cache otherwise spares a start.
        System.setProperty("picocli.converters.excludes", "java\\..*");
        System.setProperty("picocli.disable.closures", "true");
        System.setOut(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)), true,
                StandardCharsets.ISO_8859_1));
        System.setErr(new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.err)), true,
                StandardCharsets.ISO_8859_1));
        // scripts/isolate started under the name isolate-runtime: the OCI runtime's command line,
        // with a JVM cache of its own (its training runs the runtime's commands, not isolate's).
        if ("runtime".equals(System.getProperty("isolate.entry"))) {
            JvmCache.check(args, runtimeArgs -> RuntimeMain.execute(runtimeArgs, System.out, System.err));
            RuntimeMain.main(args);
        }
        JvmCache.check(args, Main::execute);
        int status;
        try {
            status = execute(CallerBytes.arguments(args));
        } catch (Failure failure) {
            System.err.println(Messages.line("isolate: " + failure.getMessage()));
            status = failure.exitStatus();
        }
        System.out.flush();
        System.err.flush();
        // halt: no shutdown hooks to run, and the JVM's own teardown only costs time.
        Runtime.getRuntime().halt(status);
    }

    static int execute(String[] args) {
        if (!Trampoline.supported()) {
            System.err.println("isolate: unsupported platform " + System.getProperty("os.name") + "/"
                    + System.getProperty("os.arch") + ": isolate runs on x86-64 Linux only");
            return ExitStatus.SETUP_FAILED;
        }
        if (Commands.startProcess(args)) {
            // Not without native access: jffi's load would warn (and a later check pass); the launch refuses instead.
            if (JvmSetup.nativeAccessGranted()) {
                Kernel.loadInBackground();
            }
            // Before the parse, for the launches that make a cgroup without being asked, root's: the
            // kernel's wait for the cgroup lock passes meanwhile. Others begin it once they know.
            if (Commands.mayMakeCgroup(args) && Caller.current().isRoot()) {
                GracePeriod.begin();
            }
        }
        CommandLine cli = commandLine(args);
        String[] expanded = Clusters.expand(args, cli.getCommandSpec());
        // run -d starts a second isolate with the arguments as given: the launching command keeps them.
        CommandLine run = cli.getSubcommands().getOrDefault("run", cli);
        if (run.getCommand() instanceof LaunchCommand launch) {
            launch.arguments = List.of(args);
        }
        return cli.execute(expanded);
    }

    /** What {@link #execute} parses these arguments into, without running anything. */
    static CommandLine.ParseResult parse(String... args) {
        CommandLine cli = commandLine(args);
        return cli.parseArgs(Clusters.expand(args, cli.getCommandSpec()));
    }

    /** The parser for these arguments: a command of isolate's is only ever their first word. */
    static CommandLine commandLine(String... args) {
        CommandLine cli = configured(new CommandLine(Commands.forArguments(args)));
        // --help prints the text the build rendered from the same model (HelpTexts), --version
        // its lines as they are: picocli's printVersionHelp runs each through String.format,
        // whose Formatter and its regular expressions that start would set up, interpreted.
        cli.setExecutionStrategy(parsed -> {
            for (CommandLine command : parsed.asCommandLineList()) {
                if (command.isUsageHelpRequested()) {
                    System.out.print(HelpTexts.of(command.getCommandSpec()));
                    System.out.flush();
                    return 0;
                }
                if (command.isVersionHelpRequested()) {
                    for (String line : command.getCommandSpec().version()) {
                        System.out.println(line);
                    }
                    System.out.flush();
                    return 0;
                }
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        return cli;
    }

    /** How isolate's parsers behave and print: its commands' models set up for use. */
    static CommandLine configured(CommandLine cli) {
        cli.setPosixClusteredShortOptionsAllowed(true);
        cli.setCaseInsensitiveEnumValuesAllowed(true); // --setgroups DENY, as --propagation PRIVATE
        // Plain text, as docker's and podman's help is: picocli would ask System.console()
        // whether to colour it, which on newer JDKs starts a console provider (JLine).
        cli.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        cli.setOut(new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.ISO_8859_1), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.ISO_8859_1), true));
        cli.setParameterExceptionHandler((e, rejected) -> {
            CommandLine command = e.getCommandLine();
            String hint = e instanceof UnmatchedArgumentException unmatched && !unmatched.getSuggestions().isEmpty()
                    ? " (did you mean " + String.join(" or ", unmatched.getSuggestions()) + "?)" : "";
            command.getErr().println(Messages.line("isolate: " + e.getMessage() + hint + "; see "
                    + command.getCommandSpec().qualifiedName() + " --help"));
            return ExitStatus.SETUP_FAILED;
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (e instanceof Failure failure) {
                err.println(Messages.line("isolate: " + failure.getMessage() + notACommand(failure, commandLine)));
                return failure.exitStatus();
            }
            err.println(Messages.line("isolate: internal error: " + e
                    + (verbosity > 1 ? "" : " (use -vv for details)")));
            if (verbosity > 1) {
                e.printStackTrace(err);
            }
            return ExitStatus.SETUP_FAILED;
        });
        return cli;
    }

    /** isolate stpo web: the user meant a command of isolate's, not a program. */
    private static String notACommand(Failure failure, CommandLine commandLine) {
        if (failure.exitStatus() != ExitStatus.NOT_FOUND || commandLine.getParent() != null
                || !(commandLine.getCommand() instanceof LaunchCommand bare) || bare.options.command().isEmpty()) {
            return "";
        }
        return Spelling.nearest(bare.options.command().get(0), Commands.NAMES)
                .map(name -> " (not an isolate command either; did you mean " + name + "?)").orElse("");
    }
}
