package dev.isolate.cli;

import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.host.network.HostCleanup;
import dev.isolate.state.RuntimeDirectory;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/** {@code isolate gc}. */
final class GcCommand implements Callable<Integer> {
    private GcCommand() {
    }

    static CommandSpec spec() {
        return CommandModel.command("gc", new GcCommand())
                .description("Remove what containers whose isolate was killed left behind: in your runtime",
                        "directory, --dns's resolv.conf, slirp4netns's socket and log, overlay scratch",
                        "directories; and as root, in this network namespace: veth host ends, published",
                        "ports, address leases. Prints one line per removal.", "")
                .doneExitStatus()
                .examples("  isolate gc           the caller's leftovers",
                        "  sudo isolate gc      root's, and this network namespace's")
                .spec();
    }

    @Override
    public Integer call() {
        Caller caller = Caller.current();
        Map<String, String> environment = HostFacts.callerEnvironment();
        RuntimeDirectory.sweep(caller.uid(), environment).forEach(entry -> System.out.println("removed " + entry));
        // Only root makes interfaces and rules on the host, and keeps their ledger.
        if (caller.isRoot()) {
            HostCleanup.collect().forEach(line -> System.out.println("removed " + line));
        }
        return 0;
    }
}
