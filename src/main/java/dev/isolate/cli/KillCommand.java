package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.state.Signals;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code isolate kill NAME [SIGNAL]}. */
@Command(name = "kill",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Send a signal (default KILL) to a running named container's command.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate kill web           SIGKILL",
            "  sudo isolate kill web HUP       SIGHUP, to reload a server",
            "  sudo isolate kill web 15        SIGTERM, by number"})
final class KillCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "A running named container.")
    String name;

    @Parameters(index = "1", paramLabel = "SIGNAL", arity = "0..1", description = "A name (TERM, SIGTERM) or a number.")
    String signal = "KILL";

    @Override
    public Integer call() {
        int number = Signals.parse(signal);
        if (!Signals.send(Containers.store(List.of(name)).running(name), number)) {
            throw Failure.input(name + ": not running");
        }
        return 0;
    }
}
