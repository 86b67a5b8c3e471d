package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.Lifecycle;
import dev.isolate.state.StateStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isolate stop NAME...}. */
@Command(name = "stop",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Stop named containers as docker stop does: SIGTERM, then SIGKILL after",
            "the grace period. Prints each name once its container has ended.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.SOME_NAMES_FAILED, HelpText.NOTHING_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate stop web              TERM, and KILL after 10 s",
            "  sudo isolate stop -t 0 web db      KILL both at once",
            "  isolate stop $(isolate ps -q)      every running container of the caller's"})
final class StopCommand implements Callable<Integer> {
    @Option(names = {"-t", "--time"}, paramLabel = "SECS", description = "Grace period before SIGKILL (default 10).")
    int seconds = 10;

    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Named containers: all are signalled at once, and share the grace period.")
    List<String> names;

    @Override
    public Integer call() {
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
