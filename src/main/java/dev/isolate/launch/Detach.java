package dev.isolate.launch;

import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.host.CallerBytes;
import dev.isolate.host.HostFacts;
import dev.isolate.linux.Linux;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.StateStore;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.SpawnedProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * run -d: a JVM cannot fork itself, so isolate starts a second isolate, in a session of its
 * own, with the same JVM, arguments and environment (byte for byte), to supervise the
 * container and record its end; this one waits until the command runs (or the second
 * isolate gives up), prints the name and returns.
 */
final class Detach {
    private Detach() {
    }

    /** The command with stdin from /dev/null, stdout and stderr appended to the log. */
    private static Kernel.Result<SpawnedProcess> spawn(List<String> command, String log) {
        Kernel kernel = Kernel.get();
        long in = kernel.open("/dev/null", Linux.O_RDONLY | Linux.O_CLOEXEC);
        if (in < 0) {
            return new Kernel.Result<>(null, (int) -in);
        }
        try {
            long out = kernel.open(log, Linux.O_WRONLY | Linux.O_APPEND | Linux.O_CLOEXEC);
            if (out < 0) {
                return new Kernel.Result<>(null, (int) -out);
            }
            try {
                return SpawnedProcess.start(command, CallerBytes.environ(), (int) in, (int) out, (int) out);
            } finally {
                kernel.close((int) out);
            }
        } finally {
            kernel.close((int) in);
        }
    }

    static String randomName() {
        return HexFormat.of().formatHex(Kernel.get().randomBytes(6));
    }

    /**
     * @param arguments this isolate's arguments, exactly as its main method got them
     * @param claim     the record that holds the name until the second isolate takes it over
     * @param nameGiven whether the arguments hold --name already
     */
    static int start(List<String> arguments, StateStore store, ContainerRecord claim, boolean nameGiven) {
        String name = claim.name();
        Path log = store.log(name);
        SpawnedProcess supervisor;
        try {
            List<String> command = new ArrayList<>(jvmCommand(CallerBytes.commandLine(), arguments));
            command.addAll(supervisorArguments(arguments, nameGiven ? List.of() : List.of("--name", name)));
            Files.deleteIfExists(log);
            Files.createFile(log);
            // The caller's bytes, arguments and environment alike (the second JVM needs its
            // variable too): ProcessBuilder would re-encode them with the locale's charset.
            Kernel.Result<SpawnedProcess> started = spawn(command, ByteStrings.of(log));
            if (!started.ok()) {
                throw Failure.step("detach: " + command.get(0) + ": " + Kernel.get().errorText(started.errno()));
            }
            supervisor = started.value();
        } catch (IOException | RuntimeException e) {
            store.remove(claim);
            throw e instanceof Failure failure ? failure
                    : Failure.step("detach: " + (e instanceof IOException io ? Failure.reason(io) : e.getMessage()));
        }
        // The spawned JVM is in a session of its own: this is the identity the second isolate records.
        Optional<ProcessIdentity> second = ProcessIdentity.of(supervisor.pid());
        if (awaitCommand(store, name, supervisor::alive)) {
            System.out.println(name);
            return 0;
        }
        // It never ran: its one-line error is in the log. The name is freed whether or not it took it over.
        try {
            System.err.print(ByteStrings.of(Files.readAllBytes(log))); // bytes as the second isolate wrote them
        } catch (IOException e) {
            System.err.println("isolate: the supervising isolate failed, and its log is gone: " + log);
        }
        if (!store.remove(claim)) {
            second.ifPresent(identity -> store.load(name).filter(r -> r.supervisor().equals(identity))
                    .ifPresent(store::remove));
        }
        int status = ExitStatus.of(supervisor.waitFor());
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
        List<String> command = new ArrayList<>();
        command.add(cmdline.get(0));
        for (String word : cmdline.subList(1, jvm)) {
            if (!word.startsWith("-D" + HostFacts.PASSED_FDS_PROPERTY + "=")) {
                command.add(word);
            }
        }
        return command;
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
}
