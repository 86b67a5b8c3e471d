package dev.isolate.cli;

import dev.isolate.inspect.NamespaceIds;
import dev.isolate.inspect.Reports;
import dev.isolate.spec.SpecException;
import dev.isolate.state.ContainerRecord;
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
            "same namespace show the same inode."})
final class NsCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Parameters(paramLabel = "PID|NAME", arity = "0..*", description = "Process ids, or names of running containers.")
    List<String> pids = new ArrayList<>();

    @Override
    public Integer call() {
        var own = NamespaceIds.of("self");
        List<Reports.ProcessNamespaces> processes = new ArrayList<>();
        for (String pid : pids.isEmpty() ? List.of(Long.toString(ProcessHandle.current().pid())) : pids) {
            String process = pid;
            if (pid.isEmpty() || !pid.chars().allMatch(Character::isDigit)) {
                ContainerRecord container = Containers.store().get(pid);
                if (!container.live() || container.command().isEmpty()) {
                    throw new SpecException(pid + ": not running");
                }
                process = Long.toString(container.command().get().pid());
            }
            processes.add(new Reports.ProcessNamespaces(process, NamespaceIds.of(process), own));
        }
        System.out.print(json ? Reports.nsJson(processes) : Reports.nsTable(processes));
        return 0;
    }
}
