package dev.isolate.cli;

import dev.isolate.dryrun.DryRun;
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
        boolean dryRun = options.dryRun();
        Launcher launcher = Launcher.forThisProcess(Diagnostics.of(options.verbosity()));
        Launcher.Naming naming = new Launcher.Naming(Optional.ofNullable(options.name), options.detach,
                options.superviseDetached, arguments);
        if (dryRun) {
            DryRun plan = launcher.dryRun(options.toSpec(launcher.facts()), naming);
            System.out.print(options.json ? plan.json() : plan.text());
            System.out.flush();
            return 0;
        }
        return launcher.run(options.toSpec(launcher.facts()), naming);
    }
}
