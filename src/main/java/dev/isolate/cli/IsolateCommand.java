package dev.isolate.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** {@code isolate [OPTIONS] COMMAND...}: the shorthand for {@code isolate run}. */
@Command(name = "isolate",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        subcommands = {RunCommand.class, ExecCommand.class, PsCommand.class, LogsCommand.class, StopCommand.class, KillCommand.class, RmCommand.class,
            NsCommand.class, LsnsCommand.class, NetworkCommand.class, GcCommand.class, HelpCommand.class, VersionCommand.class},
        synopsisHeading = "Usage: ",
        customSynopsis = {
            "isolate [OPTIONS] [--] COMMAND [ARG...]",
            "       isolate run [OPTIONS] [--] COMMAND [ARG...]",
            "       isolate exec [OPTIONS] NAME|PID [--] COMMAND [ARG...]",
            "       isolate ps [-a] [-q|--json]",
            "       isolate logs [-f] NAME",
            "       isolate stop [-t SECS] NAME...",
            "       isolate kill NAME [SIGNAL]",
            "       isolate rm [-f] NAME...",
            "       isolate ns [-J] [PID|NAME...]",
            "       isolate lsns [-t TYPE]... [-J]",
            "       isolate network rm [NAME]",
            "       isolate gc",
            "       isolate help [COMMAND]",
            "       isolate version"},
        description = {"", "Run COMMAND in new Linux namespaces. run --name and -d record it for exec, ps,",
            "logs, stop, kill and rm; ns and lsns show namespaces; network rm removes the",
            "bridge --network made, gc what killed containers left. Each command has --help.",
            "Only the first word names a command: isolate -p ps runs ps.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.COMMANDS_OWN, HelpText.SIGNALLED, HelpText.FAILED, HelpText.CANNOT_EXECUTE,
            HelpText.NOT_FOUND},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate -npu myhost bash    shell with its own network, PIDs, hostname",
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
            "passed on to COMMAND."})
final class IsolateCommand extends LaunchCommand {
}
