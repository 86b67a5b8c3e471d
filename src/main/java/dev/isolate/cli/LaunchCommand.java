package dev.isolate.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What {@code isolate COMMAND} and {@code isolate run COMMAND} both do. */
abstract class LaunchCommand implements Callable<Integer> {
    @Mixin
    RunOptions options;

    @Spec
    CommandSpec command;

    @Override
    public Integer call() {
        return Launch.run(options, command.commandLine().getParseResult().originalArgs());
    }
}
