package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.isSet;

import dev.isolate.exit.Failure;
import dev.isolate.host.cgroup.CgroupUsage;
import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.inspect.Reports;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.Lifecycle;
import dev.isolate.state.StateStore;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code isolate ps}: named containers. */
final class PsCommand implements Callable<Integer> {
    private final OptionSpec all = flag("Also list exited containers.", "-a", "--all");
    private final OptionSpec json = flag("Print JSON instead of a table.", "--json");
    private final OptionSpec quiet = flag("Print only the names, one a line.", "-q", "--quiet");

    private PsCommand() {
    }

    static CommandSpec spec() {
        PsCommand ps = new PsCommand();
        return CommandModel.command("ps", ps)
                .description("List named containers (isolate run --name): running ones, or all with -a.", "")
                .doneExitStatus()
                .examples("  isolate ps               the caller's running containers",
                        "  sudo isolate ps -a       root's, exited ones too, with how they ended",
                        "  isolate ps -q | xargs isolate stop")
                .add(ps.all, ps.json, ps.quiet)
                .spec();
    }

    @Override
    public Integer call() {
        if (isSet(quiet) && isSet(json)) {
            throw Failure.input("-q and --json: use one of them");
        }
        boolean everyOne = isSet(all);
        StateStore store = Containers.store();
        List<ContainerRecord> containers = Lifecycle.recorded(store,
                store.all().stream().filter(c -> everyOne || c.live()).toList());
        if (isSet(quiet)) {
            containers.forEach(c -> System.out.println(c.name()));
        } else {
            System.out.print(isSet(json) ? Reports.psJson(containers, usage(containers)) : Reports.psTable(containers));
        }
        return 0;
    }

    /** What each running container with a cgroup uses now, as isolate stats shows it; the hierarchies read only if one has. */
    private static Map<String, CgroupUsage> usage(List<ContainerRecord> containers) {
        Map<String, CgroupUsage> usage = new HashMap<>();
        Hierarchies hierarchies = null;
        for (ContainerRecord container : containers) {
            if (container.live() && !container.cgroups().isEmpty()) {
                hierarchies = hierarchies != null ? hierarchies : Hierarchies.read();
                CgroupUsage.of(container, hierarchies).ifPresent(u -> usage.put(container.name(), u));
            }
        }
        return usage;
    }
}
