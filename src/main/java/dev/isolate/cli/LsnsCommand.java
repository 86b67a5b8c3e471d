package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.isSet;
import static dev.isolate.cli.CommandModel.repeatable;
import static dev.isolate.cli.CommandModel.values;

import dev.isolate.exit.Failure;
import dev.isolate.inspect.Reports;
import dev.isolate.inspect.SystemNamespaces;
import dev.isolate.spec.Namespace;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code isolate lsns}: every namespace with a process in it, as util-linux lsns lists them. */
final class LsnsCommand implements Callable<Integer> {
    private final OptionSpec types = repeatable("TYPE", "Only this type: mnt, net, ipc, user, pid, uts, cgroup or time. Repeatable.", "-t", "--type");
    private final OptionSpec json = flag("Print JSON instead of a table.", "-J", "--json");

    private LsnsCommand() {
    }

    static CommandSpec spec() {
        LsnsCommand lsns = new LsnsCommand();
        return CommandModel.command("lsns", lsns)
                .description("List every namespace that has a process in it: inode, type, number of",
                        "processes, the lowest PID in it, that process's owner and command",
                        "(util-linux lsns's columns).", "")
                .doneExitStatus()
                .examples("  sudo isolate lsns               every namespace of the machine",
                        "  sudo isolate lsns -t net -J     network namespaces, as JSON")
                .add(lsns.types, lsns.json)
                .spec();
    }

    @Override
    public Integer call() {
        Set<Namespace> selected = EnumSet.noneOf(Namespace.class);
        for (String name : values(types)) {
            selected.add(EnumSet.allOf(Namespace.class).stream().filter(t -> t.procName().equals(name)).findFirst()
                    .orElseThrow(() -> Failure.input("--type \"" + name
                            + "\": not a namespace type: use mnt, net, ipc, user, pid, uts, cgroup or time")));
        }
        List<SystemNamespaces.Entry> entries = SystemNamespaces.scan(selected.isEmpty()
                ? EnumSet.allOf(Namespace.class) : selected);
        System.out.print(isSet(json) ? Reports.lsnsJson(entries) : Reports.lsnsTable(entries));
        return 0;
    }
}
