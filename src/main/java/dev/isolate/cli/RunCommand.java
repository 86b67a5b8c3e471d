package dev.isolate.cli;

import picocli.CommandLine.Command;

/** {@code isolate run [OPTIONS] COMMAND...}. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        synopsisHeading = "Usage: ",
        customSynopsis = "isolate run [OPTIONS] [--] COMMAND [ARG...]",
        description = "Run COMMAND in new Linux namespaces (what isolate does without \"run\").")
final class RunCommand extends LaunchCommand {
}
