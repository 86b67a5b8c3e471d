package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.operands;
import static dev.isolate.cli.CommandModel.option;
import static dev.isolate.cli.CommandModel.values;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.Lifecycle;
import dev.isolate.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate stop NAME...}. */
final class StopCommand implements Callable<Integer> {
    private final OptionSpec grace = option(Integer.class, "SECS", "Grace period before SIGKILL (default 10).", "-t", "--time");
    private final PositionalParamSpec names = operands("0", "1..*", "NAME", "Named containers: all are signalled at once, and share the grace period.");

    private StopCommand() {
    }

    static CommandSpec spec() {
        StopCommand stop = new StopCommand();
        return CommandModel.command("stop", stop)
                .description("Stop named containers as docker stop does: SIGTERM, then SIGKILL after",
                        "the grace period. Prints each name once its container has ended.", "")
                .eachNameExitStatus()
                .examples("  sudo isolate stop web              TERM, and KILL after 10 s",
                        "  sudo isolate stop -t 0 web db      KILL both at once",
                        "  isolate stop $(isolate ps -q)      every running container of the caller's")
                .add(stop.grace, stop.names)
                .spec();
    }

    @Override
    public Integer call() {
        List<String> names = values(this.names);
        int seconds = CommandModel.<Integer>value(grace).orElse(10);
        StateStore store = Containers.store(names);
        Containers.Outcomes outcomes = new Containers.Outcomes();
        List<ContainerRecord> containers = new ArrayList<>();
        for (String name : names) {
            try {
                containers.add(store.get(name));
            } catch (Failure missing) {
                outcomes.failed(missing);
            }
        }
        Lifecycle.stop(store, containers, Duration.ofSeconds(Math.max(seconds, 0)),
                        ended -> outcomes.done(ended.name()))
                .forEach(stuck -> outcomes.failed(Failure.step(stuck.name() + ": still running after SIGKILL")));
        return outcomes.status();
    }
}
