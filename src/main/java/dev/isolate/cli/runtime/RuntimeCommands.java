package dev.isolate.cli.runtime;

import static dev.isolate.cli.runtime.Specs.*;

import dev.isolate.bundle.DefaultConfig;
import dev.isolate.bundle.Features;
import dev.isolate.exit.Failure;
import dev.isolate.launch.Launcher;
import dev.isolate.runtime.AtomicFile;
import dev.isolate.runtime.ContainerId;
import dev.isolate.runtime.ContainerState;
import dev.isolate.runtime.Create;
import dev.isolate.runtime.Delete;
import dev.isolate.runtime.Exec;
import dev.isolate.runtime.ExecProcess;
import dev.isolate.runtime.Inspection;
import dev.isolate.runtime.Kill;
import dev.isolate.runtime.Observed;
import dev.isolate.runtime.ProcessTable;
import dev.isolate.runtime.Run;
import dev.isolate.runtime.RuntimeContext;
import dev.isolate.runtime.RuntimeLog;
import dev.isolate.runtime.RuntimeRoot;
import dev.isolate.runtime.SignalNames;
import dev.isolate.runtime.Start;
import dev.isolate.sys.ByteStrings;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * isolate-runtime's command line: runc's, as the OCI runtime spec's runtime.md and runc's man
 * pages define it, with the options conmon and containerd's shim pass. An option runc has
 * that isolate-runtime cannot honour is accepted only to be refused with a line that says so.
 */
final class RuntimeCommands {
    static final String VERSION = "isolate-runtime version " + Optional.ofNullable(
            RuntimeCommands.class.getPackage().getImplementationVersion()).orElse("(development build)")
            + "\nspec: " + ContainerState.OCI_VERSION;

    private final OptionSpec root = option("DIR", "state directory (default /run/isolate-runtime for root,"
            + " $XDG_RUNTIME_DIR/isolate-runtime for others)", "--root");
    private final OptionSpec log = option("FILE", "also write errors (and --debug's lines) to FILE", "--log");
    private final OptionSpec logFormat = option("FORMAT", "text (default) or json, as engines read it",
            "--log-format");
    private final OptionSpec debug = flag("write what is done to the log", "--debug");
    private final OptionSpec systemdCgroup = flag("refused: the systemd cgroup driver is not supported",
            "--systemd-cgroup");
    private final OptionSpec rootless = option("VALUE", "auto only: isolate decides from the caller's"
            + " privileges", "--rootless");
    private final Map<String, String> environment;
    private final PrintStream out;

    RuntimeCommands(Map<String, String> environment, PrintStream out) {
        this.environment = environment;
        this.out = out;
    }

    /**
     * The model that parses these arguments: the global options and the one command their first
     * operand names (every command for --help, or when none is named). Engines start the runtime
     * several times per container; building only what is used saves each start its share.
     */
    CommandSpec model(String... args) {
        CommandSpec top = CommandSpec.wrapWithoutInspection((Callable<Integer>) () -> {
            throw Failure.input("no command given: see isolate-runtime --help");
        }).name("isolate-runtime").interpolateVariables(false);
        top.usageMessage().description("isolate as an OCI runtime, with runc's command line.");
        top.addOption(OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help.").build());
        top.addOption(OptionSpec.builder("-v", "--version").versionHelp(true).description("Print the version.")
                .build());
        top.versionProvider(() -> VERSION.split("\n"));
        for (OptionSpec global : List.of(root, log, logFormat, debug, systemdCgroup, rootless)) {
            top.addOption(global);
        }
        Optional<CommandSpec> named = commandName(args).flatMap(this::named);
        List<CommandSpec> commands = named.map(List::of).orElseGet(() -> COMMANDS.stream()
                .map(name -> named(name).orElseThrow()).toList());
        for (CommandSpec command : commands) {
            top.addSubcommand(command.name(), new CommandLine(command));
        }
        return top;
    }

    private static final List<String> COMMANDS = List.of("create", "start", "state", "kill", "delete", "run", "exec",
            "ps", "list", "features", "spec");
    private static final List<String> GLOBALS_WITH_VALUES = List.of("--root", "--log", "--log-format", "--rootless");

    /** The first word that is neither a global option nor its value. */
    static Optional<String> commandName(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (GLOBALS_WITH_VALUES.contains(args[i])) {
                i++;
            } else if (!args[i].startsWith("-")) {
                return Optional.of(args[i]);
            }
        }
        return Optional.empty();
    }

    private Optional<CommandSpec> named(String name) {
        return Optional.ofNullable(switch (name) {
            case "create" -> create();
            case "start" -> start();
            case "state" -> state();
            case "kill" -> kill();
            case "delete" -> delete();
            case "run" -> run();
            case "exec" -> exec();
            case "ps" -> ps();
            case "list" -> list();
            case "features" -> features();
            case "spec" -> specCommand();
            default -> null;
        });
    }

    /** The log as far as the command line was parsed: errors go there even when the rest was wrong. */
    RuntimeLog log() {
        RuntimeLog.Format format = value(logFormat).map(f -> f.toLowerCase(Locale.ROOT)).filter(
                f -> f.equals("json")).map(f -> RuntimeLog.Format.JSON).orElse(RuntimeLog.Format.TEXT);
        return new RuntimeLog(value(log).flatMap(ByteStrings::javaPath), format, isSet(debug));
    }

    boolean debugging() {
        return isSet(debug);
    }

    /** The global options checked, the log opened and the state directory made: before any command acts. */
    private RuntimeContext context() {
        if (isSet(systemdCgroup)) {
            throw Failure.input("--systemd-cgroup: the systemd cgroup driver is not supported; isolate makes"
                    + " cgroups itself (cgroupfs)");
        }
        value(rootless).filter(r -> !r.equals("auto")).ifPresent(r -> {
            throw Failure.input("--rootless " + r + ": only auto (isolate decides from the caller's privileges)");
        });
        value(logFormat).filter(f -> !f.equals("text") && !f.equals("json")).ifPresent(f -> {
            throw Failure.input("--log-format " + f + ": use text or json");
        });
        RuntimeLog runtimeLog = log();
        runtimeLog.open();
        Path directory = value(root).map(dir -> path(dir, "--root"))
                .orElseGet(() -> RuntimeRoot.defaultDirectory(environment));
        return new RuntimeContext(RuntimeRoot.at(directory), runtimeLog);
    }

    private Launcher launcher(RuntimeContext context) {
        return Launcher.forThisProcess(message -> context.log().debug(message.get()));
    }

    private CommandSpec create() {
        BundleOptions bundle = new BundleOptions();
        PositionalParamSpec id = id();
        return command("create", "Create a container from a bundle; its process waits until start.", () -> {
            RuntimeContext context = context();
            Create.create(context, bundle.request(value(id).orElseThrow()), launcher(context));
            return 0;
        }, bundle.with(id));
    }

    private CommandSpec run() {
        BundleOptions bundle = new BundleOptions();
        OptionSpec detach = flag("create and start, then return", "-d", "--detach");
        OptionSpec noSubreaper = flag("accepted: isolate-runtime makes itself no subreaper", "--no-subreaper");
        OptionSpec keep = flag("refused: a container that ends is deleted", "--keep");
        PositionalParamSpec id = id();
        return command("run", "Create and start a container; in the foreground, until it ends (its exit status).",
                () -> {
                    if (isSet(keep)) {
                        throw Failure.input("run --keep: not supported (use create and start, then delete)");
                    }
                    RuntimeContext context = context();
                    Create.Request request = bundle.request(value(id).orElseThrow());
                    if (isSet(detach)) {
                        Run.detached(context, request, launcher(context));
                        return 0;
                    }
                    return Run.foreground(context, request, launcher(context));
                }, bundle.with(id, detach, noSubreaper, keep));
    }

    private CommandSpec start() {
        PositionalParamSpec id = id();
        return command("start", "Start a created container: its process executes its command.", () -> {
            Start.start(context(), ContainerId.require(value(id).orElseThrow()));
            return 0;
        }, id);
    }

    private CommandSpec state() {
        PositionalParamSpec id = id();
        return command("state", "Print a container's state as JSON (ociVersion, id, status, pid, bundle...).",
                () -> {
                    out.println(Inspection.state(context(), ContainerId.require(value(id).orElseThrow())));
                    return 0;
                }, id);
    }

    private CommandSpec kill() {
        OptionSpec all = flag("signal every process in the container's cgroup", "-a", "--all");
        PositionalParamSpec id = id();
        PositionalParamSpec signal = operand("1", "0..1", "SIGNAL", "a number or a name, with or without SIG"
                + " (default TERM)");
        return command("kill", "Send a signal to a container's process.", () -> {
            int number = SignalNames.parse(value(signal).map(String.class::cast).orElse("TERM"));
            Kill.kill(context(), ContainerId.require(value(id).orElseThrow()), number, isSet(all));
            return 0;
        }, all, id, signal);
    }

    private CommandSpec delete() {
        OptionSpec force = flag("kill a running container first (SIGKILL)", "-f", "--force");
        PositionalParamSpec id = id();
        return command("delete", "Remove a container: its process, cgroup and state; then its poststop hooks.",
                () -> {
                    Delete.delete(context(), ContainerId.require(value(id).orElseThrow()), isSet(force));
                    return 0;
                }, force, id);
    }

    private CommandSpec exec() {
        OptionSpec process = option("FILE", "the process to run, as the spec's process JSON", "-p", "--process");
        OptionSpec cwd = option("DIR", "working directory in the container", "--cwd");
        OptionSpec env = repeatable("NAME=VALUE", "set an environment variable", "-e", "--env");
        OptionSpec tty = flag("refused: exec with a terminal is not supported", "-t", "--tty");
        OptionSpec detach = flag("return once the process runs", "-d", "--detach");
        OptionSpec pidFile = option("FILE", "write the process's pid to FILE (with --detach)", "--pid-file");
        OptionSpec consoleSocket = option("SOCKET", "refused: exec with a terminal is not supported",
                "--console-socket");
        OptionSpec preserveFds = option("N", "0 only: exec passes no descriptor but stdio", "--preserve-fds");
        List<OptionSpec> refused = List.of(
                option("UID[:GID]", "refused: an exec'd process has the container's user", "-u", "--user"),
                repeatable("GID", "refused: an exec'd process has the container's groups", "-g",
                        "--additional-gids"),
                repeatable("CAP", "refused: an exec'd process has the container's capabilities", "-c", "--cap"),
                flag("refused: an exec'd process has the container's no_new_privs", "--no-new-privs"),
                option("LABEL", "refused: no SELinux", "--process-label"),
                option("PROFILE", "refused: no AppArmor", "--apparmor"),
                option("CGROUP", "refused: an exec'd process joins the container's cgroups", "--cgroup"),
                flag("refused: containers are never paused", "--ignore-paused"));
        PositionalParamSpec id = id();
        PositionalParamSpec command = operands("1", "0..*", "COMMAND", "the command and its arguments");
        List<ArgSpec> args = new ArrayList<>(List.of(process, cwd, env, tty, detach, pidFile,
                consoleSocket, preserveFds, id, command));
        args.addAll(refused);
        return command("exec", "Run a process inside a created or running container.", () -> {
            for (OptionSpec option : refused) {
                if (!option.originalStringValues().isEmpty()) {
                    throw Failure.input("exec " + option.longestName() + ": not supported (" + option.description()[0]
                            .replace("refused: ", "") + ")");
                }
            }
            if (isSet(tty) || value(consoleSocket).isPresent()) {
                throw Failure.input("exec " + (isSet(tty) ? "--tty" : "--console-socket")
                        + ": exec with a terminal is not supported");
            }
            value(preserveFds).filter(n -> !n.equals("0")).ifPresent(n -> {
                throw Failure.input("exec --preserve-fds " + n + ": exec passes no descriptor but stdio");
            });
            String target = ContainerId.require(value(id).orElseThrow());
            List<String> words = values(command);
            if (value(process).isPresent() && (!words.isEmpty() || value(cwd).isPresent() || !values(env).isEmpty())) {
                throw Failure.input("exec --process: give the command, --cwd and --env in its file, not as well"
                        + " on the command line");
            }
            if (value(process).isEmpty() && words.isEmpty()) {
                throw Failure.input("exec: give a COMMAND, or --process FILE");
            }
            RuntimeContext context = context();
            return Exec.exec(context, target, container -> value(process)
                            .map(file -> ExecProcess.read(path(file, "--process"), container))
                            .orElseGet(() -> ExecProcess.fromCommandLine(container, words, values(env),
                                    value(cwd))),
                    isSet(detach), value(pidFile).map(file -> path(file, "--pid-file")), launcher(context));
        }, args.toArray(new ArgSpec[0]));
    }

    private CommandSpec ps() {
        OptionSpec format = option("FORMAT", "table (default, ps's own columns) or json (the pids)", "-f",
                "--format");
        PositionalParamSpec id = id();
        PositionalParamSpec psArgs = operands("1", "0..*", "PS_ARGUMENT", "ps's options for the table (default -ef)");
        return command("ps", "Show the processes in a container's cgroup.", () -> {
            String how = value(format).map(String.class::cast).orElse("table");
            RuntimeContext context = context();
            List<Long> pids = Inspection.pids(context, ContainerId.require(value(id).orElseThrow()));
            switch (how) {
                case "json" -> out.println(pids.stream().map(String::valueOf)
                        .collect(Collectors.joining(",", "[", "]")));
                case "table" -> out.print(ProcessTable.of(pids, values(psArgs)));
                default -> throw Failure.input("ps --format " + how + ": use table or json");
            }
            return 0;
        }, format, id, psArgs);
    }

    private CommandSpec list() {
        OptionSpec format = option("FORMAT", "table (default) or json", "-f", "--format");
        OptionSpec quiet = flag("the ids alone", "-q", "--quiet");
        return command("list", "List the containers in the state directory.", () -> {
            String how = value(format).map(String.class::cast).orElse("table");
            if (!how.equals("table") && !how.equals("json")) {
                throw Failure.input("list --format " + how + ": use table or json");
            }
            List<Observed> containers = Inspection.list(context());
            if (isSet(quiet)) {
                containers.forEach(c -> out.println(c.state().id()));
            } else {
                out.print(how.equals("json") ? Inspection.listJson(containers) + "\n"
                        : Inspection.listTable(containers));
            }
            return 0;
        }, format, quiet);
    }

    private CommandSpec features() {
        return command("features", "Print what isolate-runtime supports, in runc's JSON.", () -> {
            out.println(Features.json());
            return 0;
        });
    }

    private CommandSpec specCommand() {
        OptionSpec rootlessSpec = flag("a config for a caller without privileges (a user namespace of its"
                + " own, mapped to the caller)", "--rootless");
        OptionSpec bundle = option("DIR", "where config.json is written (default: the current directory)", "-b",
                "--bundle");
        return command("spec", "Write a default config.json with isolate's contained defaults.", () -> {
            Path directory = value(bundle).map(dir -> path(dir, "--bundle")).orElse(Path.of(""));
            AtomicFile.create(directory.toAbsolutePath().resolve("config.json"),
                    DefaultConfig.json(isSet(rootlessSpec)));
            return 0;
        }, rootlessSpec, bundle);
    }

    /** A path given on the command line (a byte string) as Java names it, or a one-line error. */
    static Path path(String given, String option) {
        return ByteStrings.javaPath(given).orElseThrow(() -> Failure.input(option + " " + given
                + ": a path this JVM cannot name in its charset"));
    }

    /** create's and run's options: the bundle and what surrounds the container. */
    private static final class BundleOptions {
        private final OptionSpec bundle = option("DIR", "the bundle (default: the current directory)", "-b",
                "--bundle");
        private final OptionSpec pidFile = option("FILE", "write the container's pid to FILE", "--pid-file");
        private final OptionSpec consoleSocket = option("SOCKET", "send the terminal's master to this AF_UNIX"
                + " socket (process.terminal)", "--console-socket");
        private final OptionSpec preserveFds = OptionSpec.builder("--preserve-fds").type(int.class)
                .paramLabel("N").description("pass descriptors 3 to 3+N-1 to the container").build();
        private final OptionSpec noPivot = flag("refused: isolate always uses pivot_root", "--no-pivot");
        private final OptionSpec noNewKeyring = flag("accepted: isolate makes no session keyring", "--no-new-keyring");

        Create.Request request(String id) {
            if (isSet(noPivot)) {
                throw Failure.input("--no-pivot: not supported: isolate always enters the root with pivot_root"
                        + " (a root on a ramdisk cannot be used)");
            }
            return new Create.Request(id, value(bundle).map(dir -> path((String) dir, "--bundle")).orElse(Path.of("")),
                    value(pidFile).map(file -> path((String) file, "--pid-file")),
                    value(consoleSocket).map(socket -> path((String) socket, "--console-socket")),
                    value(preserveFds).map(Integer.class::cast).orElse(0));
        }

        ArgSpec[] with(ArgSpec... more) {
            List<ArgSpec> all = new ArrayList<>(List.of(bundle, pidFile, consoleSocket, preserveFds, noPivot,
                    noNewKeyring));
            all.addAll(List.of(more));
            return all.toArray(new ArgSpec[0]);
        }
    }
}
