package dev.isolate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isolate version}, for the users of git, docker and podman, who type it as a command. */
final class VersionCommand implements Callable<Integer> {
    private VersionCommand() {
    }

    static CommandSpec spec() {
        return CommandModel.command("version", new VersionCommand())
                .description("Print isolate's version (the same as --version).", "")
                .doneExitStatus()
                .examples("  isolate version")
                .spec();
    }

    @Override
    public Integer call() {
        for (String line : new Version().getVersion()) {
            System.out.println(line);
        }
        return 0;
    }
}
