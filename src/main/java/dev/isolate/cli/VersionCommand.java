package dev.isolate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code isolate version}, for the users of git, docker and podman, who type it as a command. */
@Command(name = "version",
        description = {"Print isolate's version (the same as --version).", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = "  isolate version")
final class VersionCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        for (String line : new Version().getVersion()) {
            System.out.println(line);
        }
        return 0;
    }
}
