package dev.isolate.cli;

import dev.isolate.dryrun.DryRun;
import dev.isolate.launch.Launcher;
import dev.isolate.state.StateStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isolate COMMAND...} and {@code isolate run COMMAND...}: the same options, the same launch. */
final class LaunchCommand implements Callable<Integer> {
    final RunOptions options = new RunOptions();

    /** isolate's arguments as main got them: run -d starts a second isolate with them. */
    List<String> arguments = List.of();

    private LaunchCommand() {
    }

    /** {@code isolate [OPTIONS] COMMAND...}, the shorthand for {@code isolate run}; its help is isolate's. */
    static CommandSpec bare() {
        LaunchCommand command = new LaunchCommand();
        CommandModel model = CommandModel.command("isolate", command)
                .synopsis("isolate [OPTIONS] [--] COMMAND [ARG...]",
                        "       isolate run [OPTIONS] [--] COMMAND [ARG...]",
                        "       isolate exec [OPTIONS] NAME|PID [--] COMMAND [ARG...]",
                        "       isolate ps [-a] [-q|--json]",
                        "       isolate stats [--json] [NAME...]",
                        "       isolate logs [-f] NAME",
                        "       isolate stop [-t SECS] NAME...",
                        "       isolate kill NAME [SIGNAL]",
                        "       isolate rm [-f] NAME...",
                        "       isolate ns [-J] [PID|NAME...]",
                        "       isolate lsns [-t TYPE]... [-J]",
                        "       isolate network rm [NAME]",
                        "       isolate gc",
                        "       isolate help [COMMAND]",
                        "       isolate version")
                .description("", "Run COMMAND in new Linux namespaces. run --name and -d record it for exec, ps,",
                        "stats, logs, stop, kill and rm; ns and lsns show namespaces; network rm removes",
                        "the bridge --network made, gc what killed containers left. Each command has",
                        "--help. Only the first word names a command: isolate -p ps runs ps.", "")
                .launchExitStatus()
                .examples("  sudo isolate -npu myhost bash    shell with its own network, PIDs, hostname",
                        "  sudo isolate -p ps -ef           ps sees only itself, as PID 1",
                        "  sudo isolate -n ip addr          only lo exists, and it is up",
                        "  isolate -U id                    without sudo: root inside, you outside",
                        "  sudo isolate -T --boottime 86400 cat /proc/uptime",
                        "  sudo isolate -R rootfs/ --overlay sh   a busybox root (scripts/busybox-rootfs)",
                        "  sudo isolate run -d --name web -npu web sleep 300; sudo isolate exec web ps",
                        "  sudo isolate --network -P 8080:80 -p sh   eth0 on a bridge, host port 8080",
                        "  isolate --network slirp -p ip addr       without sudo: tap0 via slirp4netns",
                        "",
                        "Signals sent to isolate (HUP INT QUIT USR1 USR2 TERM CONT WINCH) are",
                        "passed on to COMMAND.");
        return command.finish(model);
    }

    /** {@code isolate run [OPTIONS] COMMAND...}. */
    static CommandSpec run() {
        LaunchCommand command = new LaunchCommand();
        CommandModel model = CommandModel.command("run", command)
                .synopsis("isolate run [OPTIONS] [--] COMMAND [ARG...]")
                .description("Run COMMAND in new Linux namespaces: what isolate does without \"run\",",
                        "and the way to run a program that has the name of one of isolate's commands.", "")
                .launchExitStatus()
                .examples("  sudo isolate run -npu myhost bash   the same as isolate -npu myhost bash",
                        "  sudo isolate run -p ps              ps as PID 1 (isolate ps lists containers)",
                        "  sudo isolate run -d --name web -p sleep 300; sudo isolate ps");
        return command.finish(model);
    }

    private CommandSpec finish(CommandModel model) {
        CommandSpec spec = options.addTo(model).spec();
        options.parsedBy(spec);
        // Options after COMMAND are COMMAND's.
        spec.parser().stopAtPositional(true);
        return spec;
    }

    @Override
    public Integer call() {
        Main.verbosity = options.verbosity();
        boolean dryRun = options.dryRun();
        Launcher launcher = Launcher.forThisProcess(Diagnostics.of(options.verbosity()));
        // With the rest of the command line, before the store's directory is made for it.
        Optional<String> name = CommandModel.<String>value(options.name).map(StateStore::requireValidName);
        Launcher.Naming naming = new Launcher.Naming(name, CommandModel.isSet(options.detach),
                CommandModel.isSet(options.superviseDetached), arguments);
        if (dryRun) {
            DryRun plan = launcher.dryRun(options.toSpec(launcher.facts()), naming);
            System.out.print(CommandModel.isSet(options.json) ? plan.json() : plan.text());
            System.out.flush();
            return 0;
        }
        return launcher.run(options.toSpec(launcher.facts()), naming);
    }
}
