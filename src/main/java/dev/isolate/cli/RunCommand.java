package dev.isolate.cli;

import picocli.CommandLine.Command;

/** {@code isolate run [OPTIONS] COMMAND...}. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        synopsisHeading = "Usage: ",
        customSynopsis = "isolate run [OPTIONS] [--] COMMAND [ARG...]",
        description = {"Run COMMAND in new Linux namespaces: what isolate does without \"run\",",
            "and the way to run a program that has the name of one of isolate's commands.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.COMMANDS_OWN, HelpText.SIGNALLED, HelpText.FAILED, HelpText.CANNOT_EXECUTE,
            HelpText.NOT_FOUND},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate run -npu myhost bash   the same as isolate -npu myhost bash",
            "  sudo isolate run -p ps              ps as PID 1 (isolate ps lists containers)",
            "  sudo isolate run -d --name web -p sleep 300; sudo isolate ps"})
final class RunCommand extends LaunchCommand {
}
