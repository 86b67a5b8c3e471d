package dev.isolate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;

/** What {@code isolate COMMAND} and {@code isolate run COMMAND} both do. */
abstract class LaunchCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Override
    public Integer call() {
        return Launch.run(options);
    }
}
