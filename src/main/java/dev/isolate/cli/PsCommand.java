package dev.isolate.cli;

import dev.isolate.inspect.Reports;
import dev.isolate.state.ContainerRecord;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isolate ps}: named containers. */
@Command(name = "ps",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "List named containers (isolate run --name): running ones, or all with -a.")
final class PsCommand implements Callable<Integer> {
    @Option(names = {"-a", "--all"}, description = "Also list exited containers.")
    boolean all;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        List<ContainerRecord> containers = Containers.store().all().stream().filter(c -> all || c.live()).toList();
        System.out.print(json ? Reports.psJson(containers) : Reports.psTable(containers));
        return 0;
    }
}
