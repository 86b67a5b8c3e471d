package dev.isolate.cli;

import dev.isolate.spec.SpecException;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.Lifecycle;
import dev.isolate.state.StateStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isolate rm NAME...}. */
@Command(name = "rm",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Forget exited named containers; -f kills running ones first.")
final class RmCommand implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Kill a running container (SIGKILL) before removing it.")
    boolean force;

    @Parameters(paramLabel = "NAME", arity = "1..*")
    List<String> names;

    @Override
    public Integer call() {
        StateStore store = Containers.store();
        for (String name : names) {
            ContainerRecord container = store.get(name);
            if (container.live()) {
                if (!force) {
                    throw new SpecException(name + ": running: stop it first, or use rm -f");
                }
                Lifecycle.stop(store, container, Duration.ZERO);
            }
            store.remove(name);
            System.out.println(name);
        }
        return 0;
    }
}
