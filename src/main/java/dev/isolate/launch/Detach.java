package dev.isolate.launch;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.StateStore;
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
import java.util.function.BooleanSupplier;

/**
 * run -d: a JVM cannot fork itself, so isolate starts a second isolate, in a session of its
 * own, with the same JVM and arguments, to supervise the container and record its end; this
 * one waits until the command runs (or the second isolate gives up), prints the name and
 * returns.
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
     * @param arguments this isolate's arguments, exactly as its main method got them
     * @param claim     the record that holds the name until the second isolate takes it over
     * @param nameGiven whether the arguments hold --name already
     */
    static int start(List<String> arguments, StateStore store, ContainerRecord claim, boolean nameGiven) {
        String name = claim.name();
        Path log = store.log(name);
        Process supervisor;
        try {
            List<String> command = new ArrayList<>(List.of("setsid"));
            command.addAll(jvmCommand(cmdline(), arguments));
            command.addAll(supervisorArguments(arguments, nameGiven ? List.of() : List.of("--name", name)));
            Files.deleteIfExists(log);
            Files.createFile(log);
            supervisor = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException | RuntimeException e) {
            store.remove(claim);
            throw e instanceof Failure failure ? failure
                    : Failure.step("detach: " + (e instanceof IOException io ? Failure.reason(io) : e.getMessage()));
        }
        // setsid execs java in the same process: this is the identity the second isolate records.
        Optional<ProcessIdentity> second = ProcessIdentity.of(supervisor.pid());
        if (awaitCommand(store, name, supervisor::isAlive)) {
            System.out.println(name);
            return 0;
        }
        // It never ran: its one-line error is in the log. The name is freed whether or not it took it over.
        try {
            System.err.print(Files.readString(log, StandardCharsets.UTF_8));
        } catch (IOException e) {
            System.err.println("isolate: the supervising isolate failed, and its log is gone: " + log);
        }
        if (!store.remove(claim)) {
            second.ifPresent(identity -> store.load(name).filter(r -> r.supervisor().equals(identity))
                    .ifPresent(store::remove));
        }
        int status = waitForExit(supervisor);
        return status == 0 ? ExitStatus.SETUP_FAILED : status;
    }

    /**
     * Waits until the record shows the command running (true) or the supervisor has ended
     * without that (false). Whether it lives is asked before the record is read, so that a
     * supervisor that ran the command and ended in between is seen as what it was.
     */
    static boolean awaitCommand(StateStore store, String name, BooleanSupplier supervisorAlive) {
        while (true) {
            boolean alive = supervisorAlive.getAsBoolean();
            if (store.load(name).flatMap(ContainerRecord::command).isPresent()) {
                return true;
            }
            if (!alive) {
                return false;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw Failure.step("detach: interrupted");
            }
        }
    }

    /**
     * The JVM's part of this process's command line: all of it but the arguments main got,
     * which end it, whatever the JVM was started with (a main class, -jar, @argfiles). The
     * descriptors the caller passed stay with the caller.
     */
    static List<String> jvmCommand(List<String> cmdline, List<String> arguments) {
        int jvm = cmdline.size() - arguments.size();
        if (jvm < 1 || !cmdline.subList(jvm, cmdline.size()).equals(arguments)) {
            throw Failure.step("detach: this JVM's command line does not end with isolate's arguments");
        }
        return cmdline.subList(0, jvm).stream()
                .filter(word -> !word.startsWith("-D" + HostFacts.PASSED_FDS_PROPERTY + "="))
                .toList();
    }

    /** Each word ends with a NUL, so the last of the split is the empty rest. */
    private static List<String> cmdline() throws IOException {
        String[] words = Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.UTF_8).split("\0", -1);
        return List.of(words).subList(0, words.length - 1);
    }

    /** The arguments, with the marker (and the name, unless given) before the first one that is not "run". */
    static List<String> supervisorArguments(List<String> arguments, List<String> naming) {
        int at = !arguments.isEmpty() && arguments.get(0).equals("run") ? 1 : 0;
        List<String> out = new ArrayList<>(arguments.subList(0, at));
        out.add(Launcher.SUPERVISE_DETACHED_OPTION);
        out.addAll(naming);
        out.addAll(arguments.subList(at, arguments.size()));
        return out;
    }

    private static int waitForExit(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ExitStatus.SETUP_FAILED;
        }
    }
}
