package dev.isolate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code isolate [OPTIONS] COMMAND...}: the shorthand for {@code isolate run}. */
@Command(name = "isolate",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        subcommands = RunCommand.class,
        synopsisHeading = "Usage: ",
        customSynopsis = {
            "Usage: isolate [OPTIONS] [--] COMMAND [ARG...]",
            "       isolate run [OPTIONS] [--] COMMAND [ARG...]"},
        description = {"", "Run COMMAND in new Linux namespaces.", ""},
        footerHeading = "%n",
        footer = {
            "Examples:",
            "  sudo isolate -npu myhost bash        a shell with its own network, PIDs and hostname",
            "  sudo isolate -p ps -ef               ps sees only itself, as PID 1",
            "  sudo isolate -n ip addr              only lo exists, and it is up",
            "  sudo isolate -T --monotonic 86400 cat /proc/uptime",
            "",
            "Exit status: COMMAND's own; 128+N if a signal N killed it; 125 if isolate failed;",
            "126 if COMMAND cannot be executed; 127 if it was not found.",
            "Signals isolate receives (HUP INT QUIT USR1 USR2 TERM CONT WINCH) are passed on to COMMAND."})
final class IsolateCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Override
    public Integer call() {
        return Launch.run(options);
    }
}
