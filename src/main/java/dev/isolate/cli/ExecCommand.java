package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.count;
import static dev.isolate.cli.CommandModel.countedFlag;
import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.isSet;
import static dev.isolate.cli.CommandModel.operand;
import static dev.isolate.cli.CommandModel.operands;
import static dev.isolate.cli.CommandModel.option;
import static dev.isolate.cli.CommandModel.repeatable;
import static dev.isolate.cli.CommandModel.value;
import static dev.isolate.cli.CommandModel.values;

import dev.isolate.dryrun.DryRun;
import dev.isolate.exit.Failure;
import dev.isolate.launch.Launcher;
import dev.isolate.spec.Environments;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Namespace;
import dev.isolate.state.StateStore;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate exec NAME|PID COMMAND...}: nsenter -t PID -a -w, with isolate's exit-status and signal rules. */
final class ExecCommand implements Callable<Integer> {
    private final OptionSpec net = flag("Enter the network namespace.", "-n", "--net");
    private final OptionSpec pid = flag("Enter the PID namespace.", "-p", "--pid");
    private final OptionSpec uts = flag("Enter the UTS namespace.", "-u", "--uts");
    private final OptionSpec mount = flag("Enter the mount namespace.", "-m", "--mount");
    private final OptionSpec ipc = flag("Enter the IPC namespace.", "-i", "--ipc");
    private final OptionSpec user = flag("Enter the user namespace.", "-U", "--user");
    private final OptionSpec cgroup = flag("Enter the cgroup namespace.", "-C", "--cgroup");
    private final OptionSpec time = flag("Enter the time namespace.", "-T", "--time");
    private final OptionSpec env = repeatable("NAME[=VALUE]", "Set a variable for COMMAND. Repeatable.", "-e", "--env");
    private final OptionSpec workdir = option("DIR", "Working directory of COMMAND, inside the target's root.", "-w", "--workdir");
    private final OptionSpec privileged = flag("Keep isolate's own capabilities and run unfiltered, instead of taking on the target's capabilities, no_new_privs and seccomp filter.", "--privileged");
    private final OptionSpec dryRun = flag("Pin the target and print the join on stdout instead of making it.", "--dry-run");
    private final OptionSpec json = flag("With --dry-run: print it as one JSON document.", "--json");
    private final OptionSpec verbose = countedFlag("Print what isolate does on stderr.", "-v", "--verbose");
    private final PositionalParamSpec target = operand("0", "1", "NAME|PID", "A running named container, or a process id.");
    private final PositionalParamSpec command = operands("1..*", "1..*", "COMMAND", "The command and its arguments.");

    private ExecCommand() {
    }

    static CommandSpec spec() {
        ExecCommand exec = new ExecCommand();
        CommandSpec spec = CommandModel.command("exec", exec)
                .synopsis("isolate exec [OPTIONS] NAME|PID [--] COMMAND [ARG...]")
                .description("Run COMMAND in the namespaces of a running named container or process,",
                        "in its root and working directory (or -w). Without type options, every",
                        "namespace in which the target differs from isolate is entered (nsenter -a).",
                        "COMMAND joins the target's cgroups too, so its limits hold (docker exec).", "")
                .launchExitStatus()
                .examples("  sudo isolate exec web ps                 processes of the container named web",
                        "  sudo isolate exec -n 4242 -- ip addr     only the network of process 4242",
                        "  sudo isolate exec -w /tmp -e A=1 web sh  a shell in /tmp with A set")
                .add(exec.net, exec.pid, exec.uts, exec.mount, exec.ipc, exec.user, exec.cgroup, exec.time, exec.env,
                        exec.workdir, exec.privileged, exec.dryRun, exec.json, exec.verbose, exec.target, exec.command)
                .spec();
        // Options after NAME|PID are COMMAND's.
        spec.parser().stopAtPositional(true);
        return spec;
    }

    @Override
    public Integer call() {
        int verbosity = count(verbose);
        Main.verbosity = verbosity;
        String target = this.target.getValue();
        StateStore.requireValidTarget(target);
        // Parsing stops at NAME|PID, so the "--" of "exec NAME -- COMMAND" arrives here.
        List<String> given = values(this.command);
        List<String> command = given.get(0).equals("--") ? given.subList(1, given.size()) : given;
        if (command.isEmpty()) {
            throw Failure.input("exec " + target + ": no command given: see isolate exec --help");
        }
        Set<Namespace> types = EnumSet.noneOf(Namespace.class);
        Map.of(Namespace.NET, net, Namespace.PID, pid, Namespace.UTS, uts, Namespace.MOUNT, mount, Namespace.IPC, ipc,
                Namespace.USER, user, Namespace.CGROUP, cgroup, Namespace.TIME, time)
                .forEach((type, option) -> {
                    if (isSet(option)) {
                        types.add(type);
                    }
                });
        Launcher launcher = Launcher.forThisProcess(Diagnostics.of(verbosity));
        JoinSpec spec = new JoinSpec(types, Environments.compose(launcher.facts().environment(), false, values(env)),
                value(workdir), isSet(privileged), command);
        if (isSet(json) && !isSet(dryRun)) {
            throw Failure.input("--json: only with --dry-run");
        }
        if (isSet(dryRun)) {
            DryRun plan = launcher.dryRunExec(spec, target);
            System.out.print(isSet(json) ? plan.json() : plan.text());
            System.out.flush();
            return 0;
        }
        return launcher.exec(spec, target);
    }
}
