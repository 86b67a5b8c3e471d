package dev.isolate.cli;

import dev.isolate.state.Lifecycle;
import java.time.Duration;
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
            "the grace period. Prints each name once its container has ended."})
final class StopCommand implements Callable<Integer> {
    @Option(names = {"-t", "--time"}, paramLabel = "SECS", description = "Grace period before SIGKILL (default 10).")
    int seconds = 10;

    @Parameters(paramLabel = "NAME", arity = "1..*")
    List<String> names;

    @Override
    public Integer call() {
        return Containers.forEach(names, (store, name) ->
                Lifecycle.stop(store, store.get(name), Duration.ofSeconds(Math.max(seconds, 0))));
    }
}
