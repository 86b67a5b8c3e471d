package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.network.HostCleanup;
import dev.isolate.spec.NetworkMode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code isolate network rm [NAME]}. */
@Command(name = "network",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Manage the bridges that --network bridge makes and keeps.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = "  sudo isolate network rm         remove isolate0, which --network makes",
        subcommands = NetworkCommand.Remove.class)
final class NetworkCommand {
    @Command(name = "rm",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            description = {"Remove a bridge isolate made, with its masquerade rules, once no container uses it.", ""},
            exitCodeListHeading = HelpText.EXIT_STATUS,
            exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
            footerHeading = HelpText.EXAMPLES,
            footer = {
                "  sudo isolate network rm           isolate0",
                "  sudo isolate network rm br1       a bridge made by --network bridge=br1"})
    static final class Remove implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", arity = "0..1", defaultValue = NetworkMode.DEFAULT_BRIDGE,
                description = "The bridge (default ${DEFAULT-VALUE}).")
        String name;

        @Override
        public Integer call() {
            Caller caller = Caller.current();
            if (!caller.isRoot()) {
                throw Failure.input("network rm: needs root, as the bridge does");
            }
            HostCleanup.removeBridge(name);
            System.out.println(name);
            return 0;
        }
    }
}
