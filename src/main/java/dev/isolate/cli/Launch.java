package dev.isolate.cli;

import dev.isolate.network.ContainerNetwork;
import dev.isolate.plan.Host;
import dev.isolate.plan.KernelVersion;
import dev.isolate.rootfs.Workspace;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.RootFilesystem;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
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

    /** @param args the arguments as given, for the isolate that run -d starts */
    static int run(RunOptions options, List<String> args) {
        Main.verbosity = options.verbosity();
        Caller caller = Caller.current();
        Subordinates subordinates = Subordinates.of(caller);
        ContainerSpec spec = options.toSpec(callerEnvironment(), caller, subordinates);
        Consumer<Supplier<String>> diagnostics = options.verbosity() > 0 ? Diagnostics.logger() : message -> { };
        spec.user().filter(UserNamespace::automatic).ifPresent(ns -> diagnostics.accept(() ->
                "no privilege to create namespaces: adding a user namespace where root is uid " + caller.uid()
                        + " (--no-user-auto turns this off)"));
        Host host = host(caller, subordinates);
        if (options.detach && !options.superviseDetached) {
            String name = StateStore.requireValidName(options.name != null ? options.name : Detach.randomName());
            Recorder claim = Recorder.claim(name, spec, caller.uid());
            return Detach.start(args, claim.store, claim.record, options.name != null);
        }
        Supervisor supervisor = new Supervisor(diagnostics);
        Optional<Recorder> recorder = Optional.ofNullable(options.name).map(name -> options.superviseDetached
                ? Recorder.adopt(StateStore.requireValidName(name), caller.uid())
                : Recorder.claim(StateStore.requireValidName(name), spec, caller.uid()));
        boolean detached = options.superviseDetached;
        try {
            int status;
            try (ContainerNetwork network = ContainerNetwork.prepare(spec.network(), caller, System.getenv(),
                    Launch::onPath)) {
                IntConsumer running = pid -> recorder.ifPresent(r -> r.running(pid));
                Optional<RootFilesystem> rootfs = spec.rootfs().map(root -> root.withMountsFirst(network.mounts()));
                if (rootfs.isEmpty()) {
                    status = supervisor.run(spec, host, Optional.empty(), network.joinedNamespace(), network::attach,
                            running);
                } else {
                    try (Workspace workspace = Workspace.prepare(rootfs.get(), spec.propagation(), caller.uid(),
                            System.getenv())) {
                        status = supervisor.run(spec, host, Optional.of(workspace.layout()),
                                network.joinedNamespace(), network::attach, running);
                    }
                }
            }
            recorder.ifPresent(r -> r.exited(status));
            return status;
        } catch (RuntimeException e) {
            // A detached supervisor's starter reads the error from the log, then frees the name.
            recorder.filter(r -> !detached).ifPresent(Recorder::failed);
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

        /** Takes over the name that the isolate which ran run -d claimed. */
        static Recorder adopt(String name, long uid) {
            StateStore store = StateStore.of(uid, System.getenv());
            ContainerRecord claimed = store.get(name);
            ContainerRecord record = new ContainerRecord(name, Optional.empty(),
                    ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow(), claimed.namespaces(),
                    claimed.argv(), claimed.started(), Optional.empty());
            store.save(record);
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
