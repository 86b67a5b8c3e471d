package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.host.network.HostCleanup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code isolate gc}. */
@Command(name = "gc",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Remove what containers whose isolate was killed left on the host, in this network namespace:",
            "veth host ends, published ports, address leases. Prints one line per removal."})
final class GcCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Caller caller = Caller.current();
        if (!caller.canCreate()) {
            throw Failure.input("gc: needs root: only root's containers leave interfaces and rules on the host");
        }
        HostCleanup.collect(caller.uid(), HostFacts.callerEnvironment()).forEach(line -> System.out.println("removed " + line));
        return 0;
    }
}
