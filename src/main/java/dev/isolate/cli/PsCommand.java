package dev.isolate.cli;

import dev.isolate.exit.Failure;
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
        description = {"List named containers (isolate run --name): running ones, or all with -a.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  isolate ps               the caller's running containers",
            "  sudo isolate ps -a       root's, exited ones too, with how they ended",
            "  isolate ps -q | xargs isolate stop"})
final class PsCommand implements Callable<Integer> {
    @Option(names = {"-a", "--all"}, description = "Also list exited containers.")
    boolean all;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "Print only the names, one a line.")
    boolean quiet;

    @Override
    public Integer call() {
        if (quiet && json) {
            throw Failure.input("-q and --json: use one of them");
        }
        List<ContainerRecord> containers = Containers.store().all().stream().filter(c -> all || c.live()).toList();
        if (quiet) {
            containers.forEach(c -> System.out.println(c.name()));
        } else {
            System.out.print(json ? Reports.psJson(containers) : Reports.psTable(containers));
        }
        return 0;
    }
}
