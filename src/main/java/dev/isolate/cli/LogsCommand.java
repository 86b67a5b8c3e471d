package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.StateStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code isolate logs NAME [-f]}. */
@Command(name = "logs",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = {"Print what a detached container (run -d) has written, stdout and stderr together.", ""},
        exitCodeListHeading = HelpText.EXIT_STATUS,
        exitCodeList = {HelpText.DONE, HelpText.NOT_DONE},
        footerHeading = HelpText.EXAMPLES,
        footer = {
            "  sudo isolate run -d --name web -p sh -c 'echo up; sleep 300'",
            "  sudo isolate logs web          what it printed so far",
            "  sudo isolate logs -f web       and what it prints until it ends"})
final class LogsCommand implements Callable<Integer> {
    @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container has ended.")
    boolean follow;

    @Parameters(paramLabel = "NAME", description = "A container started with run -d.")
    String name;

    @Override
    public Integer call() throws IOException, InterruptedException {
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
