package dev.isolate.cli;

import dev.isolate.launch.Launcher;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** What {@code isolate COMMAND} and {@code isolate run COMMAND} both do. */
abstract class LaunchCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    /** isolate's arguments as main got them: run -d starts a second isolate with them. */
    List<String> arguments = List.of();

    @Override
    public Integer call() {
        Main.verbosity = options.verbosity();
        Launcher launcher = Launcher.forThisProcess(Diagnostics.of(options.verbosity()));
        return launcher.run(options.toSpec(launcher.facts()), new Launcher.Naming(Optional.ofNullable(options.name),
                options.detach, options.superviseDetached, arguments));
    }
}
