package dev.isolate.cli;

import dev.isolate.spec.SpecException;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.StateStore;
import dev.isolate.supervise.ExitStatus;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * run -d: a JVM cannot fork itself, so isolate starts a second isolate, in a session of its
 * own, with the same options, to supervise the container and record its end; this one waits
 * until the command runs (or the second isolate gives up), prints the name and returns.
 */
final class Detach {
    private Detach() {
    }

    static String randomName() {
        byte[] bytes = new byte[6];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /**
     * @param args      this isolate's arguments, as given
     * @param claim     the record that holds the name until the supervisor takes it over
     * @param nameGiven whether the arguments hold --name already
     */
    static int start(List<String> args, StateStore store, ContainerRecord claim, boolean nameGiven) {
        String name = claim.name();
        Path log = store.log(name);
        Process supervisor;
        try {
            Files.deleteIfExists(log);
            Files.createFile(log);
            supervisor = new ProcessBuilder(supervisorCommand(args, nameGiven ? List.of() : List.of("--name", name)))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            store.remove(name);
            throw new SpecException("detach: " + e.getMessage());
        }
        while (true) {
            Optional<ContainerRecord> record = store.load(name);
            if (record.isPresent() && record.get().command().isPresent()) {
                System.out.println(name);
                return 0;
            }
            if (!supervisor.isAlive()) {
                // It never ran: its one-line error is in the log, and the name is free again.
                try {
                    System.err.print(Files.readString(log, StandardCharsets.UTF_8));
                } catch (IOException e) {
                    System.err.println("isolate: the supervising isolate failed, and its log is gone: " + log);
                }
                store.remove(name);
                int status = supervisor.exitValue();
                return status == 0 ? ExitStatus.SETUP_FAILED : status;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitStatus.SETUP_FAILED;
            }
        }
    }

    /**
     * This JVM's own command line (from /proc/self/cmdline, exact) up to the main class,
     * without the descriptors the caller passed (they stay with the caller), then the
     * arguments with the marker (and the name, unless given) added before the first one that
     * is not "run".
     */
    private static List<String> supervisorCommand(List<String> args, List<String> naming) throws IOException {
        String cmdline = Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of("setsid"));
        for (String word : cmdline.split("\0")) {
            if (!word.startsWith("-D" + Launch.PASSED_FDS_PROPERTY + "=")) {
                command.add(word);
            }
            if (word.equals(Main.class.getName())) {
                break;
            }
        }
        int at = !args.isEmpty() && args.get(0).equals("run") ? 1 : 0;
        command.addAll(args.subList(0, at));
        command.add("--supervise-detached");
        command.addAll(naming);
        command.addAll(args.subList(at, args.size()));
        return command;
    }
}
