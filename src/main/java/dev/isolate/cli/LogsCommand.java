package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.isSet;
import static dev.isolate.cli.CommandModel.operand;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/** {@code isolate logs NAME [-f]}. */
final class LogsCommand implements Callable<Integer> {
    private final OptionSpec follow = flag("Keep printing new output until the container has ended.", "-f", "--follow");
    private final PositionalParamSpec container = operand("0", "1", "NAME", "A container started with run -d.");

    private LogsCommand() {
    }

    static CommandSpec spec() {
        LogsCommand logs = new LogsCommand();
        return CommandModel.command("logs", logs)
                .description("Print what a detached container (run -d) has written, stdout and stderr together.", "")
                .doneExitStatus()
                .examples("  sudo isolate run -d --name web -p sh -c 'echo up; sleep 300'",
                        "  sudo isolate logs web          what it printed so far",
                        "  sudo isolate logs -f web       and what it prints until it ends")
                .add(logs.follow, logs.container)
                .spec();
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        String name = container.getValue();
        boolean follow = isSet(this.follow);
        StateStore store = Containers.store(List.of(name));
        store.get(name);
        try (InputStream log = Files.newInputStream(store.log(name))) {
            byte[] buffer = new byte[8192];
            while (true) {
                int n = log.read(buffer);
                if (n > 0) {
                    System.out.write(buffer, 0, n);
                    continue;
                }
                System.out.flush();
                // Check after reading everything: what it wrote before it ended is printed.
                boolean running = store.load(name).map(ContainerRecord::live).orElse(false);
                if (!follow || !running) {
                    int more;
                    while ((more = log.read(buffer)) > 0) {
                        System.out.write(buffer, 0, more);
                    }
                    System.out.flush();
                    return 0;
                }
                Thread.sleep(100);
            }
        } catch (NoSuchFileException e) {
            throw Failure.input(name + ": has no log (only containers started with run -d have one)");
        }
    }
}
