package dev.isolate.cli;

import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * isolate's commands by name. Only the first word of a command line names one, so a run
 * builds the model of that one command alone (or of none: isolate COMMAND).
 */
final class Commands {
    /** In the order of isolate --help's synopsis. */
    static final List<String> NAMES = List.of("run", "exec", "ps", "stats", "logs", "stop", "kill", "rm", "ns",
            "lsns", "network", "gc", "help", "version");
    /** isolate's own options that ask for its help or version. */
    private static final List<String> HELP_AND_VERSION = List.of("-h", "--help", "-V", "--version");

    private Commands() {
    }

    /** The model of isolate's command of this name. */
    static Optional<CommandSpec> named(String name) {
        return Optional.ofNullable(switch (name) {
            case "run" -> LaunchCommand.run();
            case "exec" -> ExecCommand.spec();
            case "ps" -> PsCommand.spec();
            case "stats" -> StatsCommand.spec();
            case "logs" -> LogsCommand.spec();
            case "stop" -> StopCommand.spec();
            case "kill" -> KillCommand.spec();
            case "rm" -> RmCommand.spec();
            case "ns" -> NsCommand.spec();
            case "lsns" -> LsnsCommand.spec();
            case "network" -> NetworkCommand.spec();
            case "gc" -> GcCommand.spec();
            case "help" -> HelpCommand.spec();
            case "version" -> VersionCommand.spec();
            default -> null;
        });
    }

    /**
     * Whether these arguments may well make a cgroup, before they are parsed: not when they say
     * --cgroup-manager disabled anywhere (COMMAND's own arguments included: a wrong guess costs
     * only time). Main begins the kernel's grace period for the cgroup lock on it; a thread
     * still waiting for it would hold up the exit of a launch that makes none.
     */
    static boolean mayMakeCgroup(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--cgroup-manager=disabled")
                    || args[i].equals("--cgroup-manager") && i + 1 < args.length && args[i + 1].equals("disabled")) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether these arguments start a process in new namespaces (isolate COMMAND, run, exec),
     * whose system calls follow the parse at once; told from their first word alone.
     */
    static boolean startProcess(String... args) {
        if (args.length == 0) {
            return false;
        }
        return switch (args[0]) {
            case "run", "exec" -> true;
            default -> !NAMES.contains(args[0]) && !HELP_AND_VERSION.contains(args[0]);
        };
    }

    /**
     * The model that parses these arguments: isolate's own, or, when their first word names a
     * command of isolate's, that command below a parent that only gives it its name (no option
     * of isolate's own can come before it). Without the first word's rule, picocli would take
     * COMMAND for a command of isolate's wherever it stands (isolate -p ps). A lone -h,
     * --help, -V or --version builds no run option: they were a third of its Java work.
     */
    static CommandSpec forArguments(String... args) {
        if (args.length == 1 && HELP_AND_VERSION.contains(args[0])) {
            return CommandModel.helpAndVersionOnly("isolate");
        }
        Optional<CommandSpec> command = args.length == 0 ? Optional.empty() : named(args[0]);
        if (command.isEmpty()) {
            return LaunchCommand.bare();
        }
        CommandSpec parent = CommandSpec.create().name("isolate");
        parent.addSubcommand(args[0], new CommandLine(command.get()));
        return parent;
    }

    /** isolate with every command below it: for the man pages and the shell completion. */
    static CommandSpec all() {
        CommandSpec root = LaunchCommand.bare();
        NAMES.forEach(name -> root.addSubcommand(name, new CommandLine(named(name).orElseThrow())));
        return root;
    }
}
