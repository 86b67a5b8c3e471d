package dev.isolate.cli;

import dev.isolate.dryrun.DryRun;
import dev.isolate.launch.Launcher;
import dev.isolate.state.StateStore;
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
        boolean dryRun = options.dryRun();
        Launcher launcher = Launcher.forThisProcess(Diagnostics.of(options.verbosity()));
        // With the rest of the command line, before the store's directory is made for it.
        Optional<String> name = Optional.ofNullable(options.name).map(StateStore::requireValidName);
        Launcher.Naming naming = new Launcher.Naming(name, options.detach, options.superviseDetached, arguments);
        if (dryRun) {
            DryRun plan = launcher.dryRun(options.toSpec(launcher.facts()), naming);
            System.out.print(options.json ? plan.json() : plan.text());
            System.out.flush();
            return 0;
        }
        return launcher.run(options.toSpec(launcher.facts()), naming);
    }
}
