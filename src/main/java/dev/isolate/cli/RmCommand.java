package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.Lifecycle;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isolate rm NAME...}. */
@Command(name = "rm",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Forget exited named containers; -f kills running ones first.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.SOME_NAMES_FAILED, HelpText.NOTHING_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate rm web              forget web, once it has exited",
            "  sudo isolate rm -f web db        kill them first if they run"})
final class RmCommand implements Callable<Integer> {
    @Option(names = {"-f", "--force"}, description = "Kill a running container (SIGKILL) before removing it.")
    boolean force;

    @Parameters(paramLabel = "NAME", arity = "1..*", description = "Named containers, each removed in turn.")
    List<String> names;

    @Override
    public Integer call() {
        return Containers.forEach(names, (store, name) -> {
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
