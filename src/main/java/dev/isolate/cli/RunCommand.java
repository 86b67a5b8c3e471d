package dev.isolate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code isolate run [OPTIONS] COMMAND...}. */
@Command(name = "run",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        customSynopsis = "Usage: isolate run [OPTIONS] [--] COMMAND [ARG...]",
        description = {"", "Run COMMAND in new Linux namespaces.", ""})
final class RunCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Override
    public Integer call() {
        return Launch.run(options);
    }
}
