package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.host.cgroup.OrphanCgroups;
import dev.isolate.host.network.HostCleanup;
import dev.isolate.state.RuntimeDirectory;
import dev.isolate.state.StateStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isolate gc}. */
final class GcCommand implements Callable<Integer> {
    private GcCommand() {
    }

    static CommandSpec spec() {
        return CommandModel.command("gc", new GcCommand())
                .description("Remove what containers whose isolate was killed left behind: their cgroups,",
                        "once what still runs in them is killed; in your runtime directory, --dns's",
                        "resolv.conf, slirp4netns's socket and log, overlay scratch directories; and as",
                        "root, in this network namespace: veth host ends, published ports, address",
                        "leases. Prints one line per removal.", "")
                .doneExitStatus()
                .examples("  isolate gc           the caller's leftovers",
                        "  sudo isolate gc      root's, and this network namespace's")
                .spec();
    }

    @Override
    public Integer call() {
        Caller caller = Caller.current();
        Map<String, String> environment = HostFacts.callerEnvironment();
        // First the cgroups: what still runs in them may be using the files below. A cgroup
        // that cannot be removed is reported after the rest is collected.
        Failure cgroups = null;
        try {
            List<String> recorded = StateStore.existing(caller.uid(), environment).all().stream()
                    .flatMap(record -> record.cgroups().stream()).toList();
            OrphanCgroups.collect(caller, Hierarchies.read(), recorded,
                    directory -> System.out.println("removed cgroup " + directory));
        } catch (Failure f) {
            cgroups = f;
        }
        RuntimeDirectory.sweep(caller.uid(), environment).forEach(entry -> System.out.println("removed " + entry));
        // Only root makes interfaces and rules on the host, and keeps their ledger.
        if (caller.isRoot()) {
            HostCleanup.collect().forEach(line -> System.out.println("removed " + line));
        }
        if (cgroups != null) {
            throw cgroups;
        }
        return 0;
    }
}
