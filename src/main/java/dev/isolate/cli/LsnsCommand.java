package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.inspect.Reports;
import dev.isolate.inspect.SystemNamespaces;
import dev.isolate.spec.Namespace;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code isolate lsns}: every namespace with a process in it, as util-linux lsns lists them. */
@Command(name = "lsns",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"List every namespace that has a process in it: inode, type, number of",
            "processes, the lowest PID in it, that process's owner and command",
            "(util-linux lsns's columns).", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate lsns               every namespace of the machine",
            "  sudo isolate lsns -t net -J     network namespaces, as JSON"})
final class LsnsCommand implements Callable<Integer> {
    @Option(names = {"-t", "--type"}, paramLabel = "TYPE", description = "Only this type: mnt, net, ipc, user, pid, uts, cgroup or time. Repeatable.")
    List<String> types = List.of();

    @Option(names = {"-J", "--json"}, description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() {
        Set<Namespace> selected = EnumSet.noneOf(Namespace.class);
        for (String name : types) {
            selected.add(EnumSet.allOf(Namespace.class).stream().filter(t -> t.procName().equals(name)).findFirst()
                    .orElseThrow(() -> Failure.input("--type \"" + name
                            + "\": not a namespace type: use mnt, net, ipc, user, pid, uts, cgroup or time")));
        }
        List<SystemNamespaces.Entry> entries = SystemNamespaces.scan(selected.isEmpty()
                ? EnumSet.allOf(Namespace.class) : selected);
        System.out.print(json ? Reports.lsnsJson(entries) : Reports.lsnsTable(entries));
        return 0;
    }
}
