package dev.isolate.cli;

import dev.isolate.inspect.NamespaceIds;
import dev.isolate.inspect.Reports;
import dev.isolate.state.PinnedProcess;
import dev.isolate.state.StateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isolate ns [PID...]}: the namespaces of processes, next to isolate's own. */
@Command(name = "ns",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Show the namespaces of each PID or named container (isolate's own without",
            "one): type, inode, and whether it differs from isolate's. Processes in the",
            "same namespace show the same inode.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  isolate ns                  isolate's own namespaces",
            "  sudo isolate ns web 4242    a container's and a process's, side by side",
            "  isolate ns -J $$            this shell's, as JSON"})
final class NsCommand implements Callable<Integer> {
    @Option(names = {"-J", "--json"}, description = "Print JSON instead of a table.")
    boolean json;

    @Parameters(paramLabel = "PID|NAME", arity = "0..*", description = "Process ids, or names of running containers.")
    List<String> pids = new ArrayList<>();

    @Override
    public Integer call() {
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
        System.out.print(json ? Reports.nsJson(processes) : Reports.nsTable(processes));
        return 0;
    }
}
