package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.isSet;
import static dev.isolate.cli.CommandModel.operands;
import static dev.isolate.cli.CommandModel.values;

import dev.isolate.host.NamespaceIds;
import dev.isolate.inspect.Reports;
import dev.isolate.state.PinnedProcess;
import dev.isolate.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate ns [PID...]}: the namespaces of processes, next to isolate's own. */
final class NsCommand implements Callable<Integer> {
    private final OptionSpec json = flag("Print JSON instead of a table.", "-J", "--json");
    private final PositionalParamSpec targets = operands("0", "0..*", "PID|NAME", "Process ids, or names of running containers.");

    private NsCommand() {
    }

    static CommandSpec spec() {
        NsCommand ns = new NsCommand();
        return CommandModel.command("ns", ns)
                .description("Show the namespaces of each PID or named container (isolate's own without",
                        "one): type, inode, and whether it differs from isolate's. Processes in the",
                        "same namespace show the same inode.", "")
                .doneExitStatus()
                .examples("  isolate ns                  isolate's own namespaces",
                        "  sudo isolate ns web 4242    a container's and a process's, side by side",
                        "  isolate ns -J $$            this shell's, as JSON")
                .add(ns.json, ns.targets)
                .spec();
    }

    @Override
    public Integer call() {
        List<String> pids = values(targets);
        var own = NamespaceIds.own();
        List<Reports.ProcessNamespaces> processes = new ArrayList<>();
        if (pids.isEmpty()) {
            processes.add(new Reports.ProcessNamespaces(Long.toString(ProcessHandle.current().pid()), own, own));
        }
        pids.forEach(StateStore::requireValidTarget);
        StateStore store = pids.isEmpty() ? null : Containers.store();
        for (String target : pids) {
            try (PinnedProcess process = PinnedProcess.pin(store.resolve(target))) {
                processes.add(new Reports.ProcessNamespaces(Long.toString(process.identity().pid()),
                        NamespaceIds.of(process), own));
            }
        }
        System.out.print(isSet(json) ? Reports.nsJson(processes) : Reports.nsTable(processes));
        return 0;
    }
}
