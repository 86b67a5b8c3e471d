package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.network.HostCleanup;
import dev.isolate.spec.NetworkMode;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.ParameterException;

/** {@code isolate network rm [NAME]}. */
final class NetworkCommand implements Callable<Integer> {
    private CommandSpec spec;

    private NetworkCommand() {
    }

    static CommandSpec spec() {
        NetworkCommand network = new NetworkCommand();
        network.spec = CommandModel.command("network", network)
                .description("Manage the bridges that --network bridge makes and keeps.", "")
                .doneExitStatus()
                .examples("  sudo isolate network rm         remove isolate0, which --network makes")
                .spec();
        network.spec.addSubcommand("rm", new CommandLine(Remove.spec()));
        return network.spec;
    }

    /** Without its subcommand, as picocli would say of a command that cannot run alone. */
    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand");
    }

    /** {@code isolate network rm [NAME]}. */
    static final class Remove implements Callable<Integer> {
        private final PositionalParamSpec bridge = PositionalParamSpec.builder().index("0").arity("0..1")
                .type(String.class).paramLabel("NAME").defaultValue(NetworkMode.DEFAULT_BRIDGE)
                .description("The bridge (default " + NetworkMode.DEFAULT_BRIDGE + ").").build();

        private Remove() {
        }

        static CommandSpec spec() {
            Remove remove = new Remove();
            return CommandModel.command("rm", remove)
                    .description("Remove a bridge isolate made, with its masquerade rules, once no container uses it.", "")
                    .doneExitStatus()
                    .examples("  sudo isolate network rm           isolate0",
                            "  sudo isolate network rm br1       a bridge made by --network bridge=br1")
                    .add(remove.bridge)
                    .spec();
        }

        @Override
        public Integer call() {
            String name = bridge.getValue();
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
