package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.isSet;
import static dev.isolate.cli.CommandModel.operands;
import static dev.isolate.cli.CommandModel.values;

import dev.isolate.exit.Failure;
import dev.isolate.host.cgroup.CgroupUsage;
import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.inspect.Reports;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate stats [NAME...]}: one sample of what running containers use, as docker stats --no-stream. */
final class StatsCommand implements Callable<Integer> {
    private final OptionSpec json = flag("Print JSON instead of a table: bytes and nanoseconds as numbers.", "--json");
    private final PositionalParamSpec names = operands("0", "0..*", "NAME",
            "Running containers (all the caller's running ones without NAME).");

    private StatsCommand() {
    }

    static CommandSpec spec() {
        StatsCommand stats = new StatsCommand();
        return CommandModel.command("stats", stats)
                .description("Show what running named containers use now, read from their cgroups: memory",
                        "(now, its limit, the peak), processes (and their limit) and CPU time, as",
                        "docker stats --no-stream. A container run without a cgroup of its own shows -.", "")
                .doneExitStatus()
                .examples("  sudo isolate run -d --name web --memory 64m --pids-limit 50 sleep 300",
                        "  sudo isolate stats              every running container of root's",
                        "  sudo isolate stats --json web   web's, in bytes and nanoseconds")
                .add(stats.json, stats.names)
                .spec();
    }

    @Override
    public Integer call() {
        List<String> given = values(names).stream().distinct().toList();
        StateStore store = Containers.store(given);
        List<ContainerRecord> containers = new ArrayList<>();
        for (String name : given) {
            store.running(name); // the one-line error for a container that is not
            ContainerRecord container = store.get(name);
            if (container.cgroups().isEmpty()) {
                throw Failure.input(name + ": has no cgroup of its own (it was run without a limit by a user other"
                        + " than root, or with --cgroup-manager disabled)");
            }
            containers.add(container);
        }
        if (given.isEmpty()) {
            // as running(NAME): a container still starting has no process, nor its cgroup on record yet
            containers.addAll(store.all().stream().filter(c -> c.live() && c.command().isPresent()).toList());
        }
        Hierarchies hierarchies = Hierarchies.read();
        List<Reports.ContainerUsage> rows = new ArrayList<>();
        for (ContainerRecord container : containers) {
            if (container.cgroups().isEmpty()) {
                rows.add(new Reports.ContainerUsage(container.name(), Optional.empty()));
                continue;
            }
            Optional<CgroupUsage> usage = CgroupUsage.of(container, hierarchies);
            if (usage.isPresent()) {
                rows.add(new Reports.ContainerUsage(container.name(), usage));
            } else if (!given.isEmpty()) {
                throw Failure.input(container.name() + ": not running"); // it ended while it was read
            }
        }
        System.out.print(isSet(json) ? Reports.statsJson(rows) : Reports.statsTable(rows));
        return 0;
    }
}
