package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.isSet;
import static dev.isolate.cli.CommandModel.operands;
import static dev.isolate.cli.CommandModel.values;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.Lifecycle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate rm NAME...}. */
final class RmCommand implements Callable<Integer> {
    private final OptionSpec force = flag("Kill a running container (SIGKILL) before removing it.", "-f", "--force");
    private final PositionalParamSpec names = operands("0", "1..*", "NAME", "Named containers, each removed in turn.");

    private RmCommand() {
    }

    static CommandSpec spec() {
        RmCommand rm = new RmCommand();
        return CommandModel.command("rm", rm)
                .description("Forget exited named containers; -f kills running ones first.", "")
                .eachNameExitStatus()
                .examples("  sudo isolate rm web              forget web, once it has exited",
                        "  sudo isolate rm -f web db        kill them first if they run")
                .add(rm.force, rm.names)
                .spec();
    }

    @Override
    public Integer call() {
        boolean force = isSet(this.force);
        return Containers.forEach(values(names), (store, name) -> {
            Optional<ContainerRecord> container = store.load(name);
            if (container.isPresent() && container.get().live()) {
                if (!force) {
                    throw Failure.input(name + ": running: stop it first, or use rm -f");
                }
                Lifecycle.stop(store, List.of(container.get()), Duration.ZERO, ended -> { });
            }
            if (!store.forget(name)) {
                throw Failure.input("no container named \"" + name + "\"");
            }
        });
    }
}
