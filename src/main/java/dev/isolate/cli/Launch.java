package dev.isolate.cli;

import dev.isolate.plan.Host;
import dev.isolate.plan.KernelVersion;
import dev.isolate.rootfs.Workspace;
import dev.isolate.spec.Namespace;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.StateStore;
import dev.isolate.supervise.ExitStatus;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.UserNamespace;
import dev.isolate.supervise.Supervisor;
import dev.isolate.userns.Caller;
import dev.isolate.userns.Subordinates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Wires parsed options to the supervisor. */
final class Launch {
    /**
     * Set by scripts/isolate to move the JVM's internal suspend signal off SIGUSR2, so that
     * isolate can forward SIGUSR2; it is not the user's, so COMMAND does not inherit it.
     */
    static final String JVM_SIGNAL_VARIABLE = "_JAVA_SR_SIGNUM";
    /** Descriptors above 2 that isolate's caller passed in, as listed by scripts/isolate. */
    static final String PASSED_FDS_PROPERTY = "isolate.passed-fds";

    private Launch() {
    }

    static int run(RunOptions options) {
        Main.verbosity = options.verbosity();
        Caller caller = Caller.current();
        Subordinates subordinates = Subordinates.of(caller);
        ContainerSpec spec = options.toSpec(callerEnvironment(), caller, subordinates);
        Consumer<Supplier<String>> diagnostics = options.verbosity() > 0 ? Diagnostics.logger() : message -> { };
        spec.user().filter(UserNamespace::automatic).ifPresent(ns -> diagnostics.accept(() ->
                "no privilege to create namespaces: adding a user namespace where root is uid " + caller.uid()
                        + " (--no-user-auto turns this off)"));
        Host host = host(caller, subordinates);
        Supervisor supervisor = new Supervisor(diagnostics);
        Optional<Recorder> recorder = Optional.ofNullable(options.name).map(name ->
                Recorder.claim(StateStore.requireValidName(name), spec, caller.uid()));
        try {
            int status;
            if (spec.rootfs().isEmpty()) {
                status = supervisor.run(spec, host, Optional.empty(), pid -> recorder.ifPresent(r -> r.running(pid)));
            } else {
                try (Workspace workspace = Workspace.prepare(spec.rootfs().get(), spec.propagation(), caller.uid(),
                        System.getenv())) {
                    status = supervisor.run(spec, host, Optional.of(workspace.layout()),
                            pid -> recorder.ifPresent(r -> r.running(pid)));
                }
            }
            recorder.ifPresent(r -> r.exited(status));
            return status;
        } catch (RuntimeException e) {
            recorder.ifPresent(Recorder::failed);
            throw e;
        }
    }

    /** Keeps a named container's record up to date through its life. */
    private static final class Recorder {
        private final StateStore store;
        private ContainerRecord record;

        private Recorder(StateStore store, ContainerRecord record) {
            this.store = store;
            this.record = record;
        }

        static Recorder claim(String name, ContainerSpec spec, long uid) {
            StateStore store = StateStore.of(uid, System.getenv());
            ContainerRecord record = new ContainerRecord(name, Optional.empty(),
                    ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow(),
                    spec.namespaces().stream().map(Namespace::procName).toList(), spec.command(), Instant.now(),
                    Optional.empty());
            store.claim(record);
            return new Recorder(store, record);
        }

        void running(int pid) {
            ProcessIdentity.of(pid).ifPresent(process -> {
                record = record.running(process);
                store.save(record);
            });
        }

        void exited(int status) {
            store.save(record.exited(status));
        }

        /** A container that never ran leaves no record behind. */
        void failed() {
            if (record.command().isEmpty()) {
                store.remove(record.name());
            } else {
                store.save(record.exited(ExitStatus.SETUP_FAILED));
            }
        }
    }

    static Host host(Caller caller) {
        return host(caller, Subordinates.of(caller));
    }

    private static Host host(Caller caller, Subordinates subordinates) {
        return new Host(passedFds(System.getProperty(PASSED_FDS_PROPERTY, "")),
                KernelVersion.parse(System.getProperty("os.version")), caller, Launch::onPath, subordinates);
    }

    /** A program in isolate's own PATH, as the shell would find it. */
    static Optional<String> onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toString());
            }
        }
        return Optional.empty();
    }

    static Map<String, String> callerEnvironment() {
        Map<String, String> environment = new HashMap<>(System.getenv());
        environment.remove(JVM_SIGNAL_VARIABLE);
        return environment;
    }

    static Set<Integer> passedFds(String list) {
        Set<Integer> fds = new TreeSet<>();
        for (String fd : list.split(",")) {
            if (!fd.isBlank()) {
                int n = Integer.parseInt(fd.trim());
                if (n > 2) {
                    fds.add(n);
                }
            }
        }
        return fds;
    }
}
