package dev.isolate.cli;

import dev.isolate.host.HostFacts;
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
        HostFacts facts = HostFacts.read();
        return new Launcher(facts, Diagnostics.of(options.verbosity()))
                .run(options.toSpec(facts), new Launcher.Naming(Optional.ofNullable(options.name), options.detach,
                        options.superviseDetached, arguments));
    }
}
