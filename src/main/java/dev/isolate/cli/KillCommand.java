package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.operand;

import dev.isolate.exit.Failure;
import dev.isolate.state.Signals;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate kill NAME [SIGNAL]}. */
final class KillCommand implements Callable<Integer> {
    private final PositionalParamSpec name = operand("0", "1", "NAME", "A running named container.");
    private final PositionalParamSpec signal = operand("1", "0..1", "SIGNAL", "A name (TERM, SIGTERM) or a number.");

    private KillCommand() {
    }

    static CommandSpec spec() {
        KillCommand kill = new KillCommand();
        return CommandModel.command("kill", kill)
                .description("Send a signal (default KILL) to a running named container's command.", "")
                .doneExitStatus()
                .examples("  sudo isolate kill web           SIGKILL",
                        "  sudo isolate kill web HUP       SIGHUP, to reload a server",
                        "  sudo isolate kill web 15        SIGTERM, by number")
                .add(kill.name, kill.signal)
                .spec();
    }

    @Override
    public Integer call() {
        String name = this.name.getValue();
        int number = Signals.parse(CommandModel.<String>value(signal).orElse("KILL"));
        if (!Signals.send(Containers.store(List.of(name)).running(name), number)) {
            throw Failure.input(name + ": not running");
        }
        return 0;
    }
}
