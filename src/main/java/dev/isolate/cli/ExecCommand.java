package dev.isolate.cli;

import dev.isolate.dryrun.DryRun;
import dev.isolate.exit.Failure;
import dev.isolate.launch.Launcher;
import dev.isolate.spec.Environments;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.state.StateStore;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isolate exec NAME|PID COMMAND...}: nsenter -t PID -a -w, with isolate's exit-status and signal rules. */
@Command(name = "exec",
        mixinStandardHelpOptions = true,
        synopsisHeading = "Usage: ",
        customSynopsis = "isolate exec [OPTIONS] NAME|PID [--] COMMAND [ARG...]",
        versionProvider = Version.class,
        description = {"Run COMMAND in the namespaces of a running named container or process,",
            "in its root and working directory (or -w). Without type options, every",
            "namespace in which the target differs from isolate is entered (nsenter -a).", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.COMMANDS_OWN, HelpText.SIGNALLED, HelpText.FAILED, HelpText.CANNOT_EXECUTE,
            HelpText.NOT_FOUND},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate exec web ps                 processes of the container named web",
            "  sudo isolate exec -n 4242 -- ip addr     only the network of process 4242",
            "  sudo isolate exec -w /tmp -e A=1 web sh  a shell in /tmp with A set"})
final class ExecCommand implements Callable<Integer> {
    @Option(names = {"-n", "--net"}, description = "Enter the network namespace.")
    boolean net;
    @Option(names = {"-p", "--pid"}, description = "Enter the PID namespace.")
    boolean pid;
    @Option(names = {"-u", "--uts"}, description = "Enter the UTS namespace.")
    boolean uts;
    @Option(names = {"-m", "--mount"}, description = "Enter the mount namespace.")
    boolean mount;
    @Option(names = {"-i", "--ipc"}, description = "Enter the IPC namespace.")
    boolean ipc;
    @Option(names = {"-U", "--user"}, description = "Enter the user namespace.")
    boolean user;
    @Option(names = {"-C", "--cgroup"}, description = "Enter the cgroup namespace.")
    boolean cgroup;
    @Option(names = {"-T", "--time"}, description = "Enter the time namespace.")
    boolean time;
    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]", description = "Set a variable for COMMAND. Repeatable.")
    List<String> env = new ArrayList<>();
    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory of COMMAND, inside the target's root.")
    String workdir;
    @Option(names = "--privileged", description = "Keep isolate's own capabilities and run unfiltered, instead of taking on the target's capabilities, no_new_privs and seccomp filter.")
    boolean privileged;
    @Option(names = "--dry-run", description = "Pin the target and print the join on stdout instead of making it.")
    boolean dryRun;
    @Option(names = "--json", description = "With --dry-run: print it as one JSON document.")
    boolean json;
    @Option(names = {"-v", "--verbose"}, description = "Print what isolate does on stderr.")
    boolean[] verbose = new boolean[0];

    @Parameters(index = "0", paramLabel = "NAME|PID", description = "A running named container, or a process id.")
    String target;

    @Parameters(index = "1..*", paramLabel = "COMMAND", arity = "1..*", description = "The command and its arguments.")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() {
        Main.verbosity = verbose.length;
        StateStore.requireValidTarget(target);
        // Parsing stops at NAME|PID, so the "--" of "exec NAME -- COMMAND" arrives here.
        List<String> command = this.command.get(0).equals("--") ? this.command.subList(1, this.command.size())
                : this.command;
        if (command.isEmpty()) {
            throw Failure.input("exec " + target + ": no command given: see isolate exec --help");
        }
        Set<Namespace> types = EnumSet.noneOf(Namespace.class);
        Map.of(Namespace.NET, net, Namespace.PID, pid, Namespace.UTS, uts, Namespace.MOUNT, mount, Namespace.IPC, ipc,
                Namespace.USER, user, Namespace.CGROUP, cgroup, Namespace.TIME, time)
                .forEach((type, wanted) -> {
                    if (wanted) {
                        types.add(type);
                    }
                });
        Launcher launcher = Launcher.forThisProcess(Diagnostics.of(verbose.length));
        JoinSpec spec = new JoinSpec(types, Environments.compose(launcher.facts().environment(), false, env),
                Optional.ofNullable(workdir), privileged, command);
        if (json && !dryRun) {
            throw Failure.input("--json: only with --dry-run");
        }
        if (dryRun) {
            DryRun plan = launcher.dryRunExec(spec, target);
            System.out.print(json ? plan.json() : plan.text());
            System.out.flush();
            return 0;
        }
        return launcher.exec(spec, target);
    }
}
