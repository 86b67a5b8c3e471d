package dev.isolate.runtime;

import static dev.isolate.linux.Linux.SIGKILL;

import dev.isolate.exit.Failure;
import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.host.cgroup.KeptCgroup;
import dev.isolate.launch.BundleEvents;
import dev.isolate.launch.Launcher;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.Signals;
import dev.isolate.sys.Kernel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * create: the container made from its bundle, its process waiting at the start gate, and
 * this JVM gone. Everything is read and checked before the id is claimed; once it is, a
 * failure undoes what was made (the core kills a child whose set-up failed; what is made
 * after the launcher returned is undone here) and the id is free again.
 */
public final class Create {
    /**
     * create's command line.
     *
     * @param consoleSocket where the terminal's master is sent, when config.json asks for a terminal
     */
    public record Request(String id, Path bundle, Optional<Path> pidFile, Optional<Path> consoleSocket,
            int preserveFds) {
        public Request {
            ContainerId.require(id);
            consoleSocket.ifPresent(ConsoleSocket::require);
            if (preserveFds < 0) {
                throw Failure.input("--preserve-fds " + preserveFds + ": must be 0 or more");
            }
        }
    }

    private Create() {
    }

    public static void create(RuntimeContext context, Request request, Launcher launcher) {
        Bundle bundle = Bundle.read(request.bundle(), request.id(), request.preserveFds());
        requireConsole(bundle, request.consoleSocket());
        ContainerState initial = initialState(request.id(), bundle);
        try (ContainerDirectory directory = ContainerDirectory.claim(context.root(), request.id())) {
            Optional<Launcher.Created> created = Optional.empty();
            try {
                int gate = StartGate.make(directory.gate());
                try {
                    created = Optional.of(launcher.create(bundle.spec(), gate,
                            events(directory, initial, bundle, request.consoleSocket())));
                } finally {
                    Kernel.get().close(gate);
                }
                Launcher.Created made = created.get();
                ContainerState state = initial.withProcess(identity(made.pid()))
                        .finished(made.cgroups().stream().map(Path::toString).toList());
                directory.write(state);
                request.pidFile().ifPresent(file -> AtomicFile.write(file, Long.toString(made.pid())));
            } catch (RuntimeException e) {
                created.ifPresent(Create::undo);
                directory.remove();
                throw e;
            }
        }
    }

    /** create runs the container detached: a terminal can only go to the engine, over --console-socket. */
    static void requireConsole(Bundle bundle, Optional<Path> consoleSocket) {
        if (bundle.terminal() && consoleSocket.isEmpty()) {
            throw Failure.input("process.terminal is true: give --console-socket, where the terminal's master"
                    + " is sent (isolate-runtime does not stay to relay it)");
        }
        if (!bundle.terminal() && consoleSocket.isPresent()) {
            throw Failure.input("--console-socket: process.terminal is false, so there is no terminal to send");
        }
    }

    static ContainerState initialState(String id, Bundle bundle) {
        return new ContainerState(id, bundle.directory().toString(), bundle.rootfs().toString(), Instant.now(),
                bundle.annotations(), bundle.process(), Optional.empty(), List.of(), bundle.hooks("poststart"),
                bundle.hooks("poststop"), false);
    }

    /**
     * While the child waits at its handshake: the state with its pid (hooks, and state, read
     * it), then the prestart and createRuntime hooks; a failed hook aborts the create.
     */
    static BundleEvents events(ContainerDirectory directory, ContainerState initial, Bundle bundle,
            Optional<Path> consoleSocket) {
        return new BundleEvents() {
            @Override
            public void created(int pid) {
                ContainerState creating = initial.withProcess(identity(pid));
                directory.write(creating);
                String state = creating.ociJson(Status.CREATING, false);
                Hooks.run("prestart", bundle.hooks("prestart"), state);
                Hooks.run("createRuntime", bundle.hooks("createRuntime"), state);
            }

            @Override
            public void terminal(int masterFd) {
                ConsoleSocket.send(consoleSocket.orElseThrow(), masterFd);
            }
        };
    }

    static ProcessIdentity identity(long pid) {
        return ProcessIdentity.of(pid).orElseThrow(() -> Failure.step("container process " + pid
                + ": ended during create"));
    }

    /** A container whose create failed after the launcher made it: its processes killed, its cgroup removed. */
    private static void undo(Launcher.Created created) {
        ProcessIdentity.of(created.pid()).ifPresent(process -> Signals.send(process, SIGKILL));
        KeptCgroup.of(created.cgroups(), Hierarchies.read()).killAndRemove();
    }
}
