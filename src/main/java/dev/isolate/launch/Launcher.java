package dev.isolate.launch;

import dev.isolate.host.Accounts;
import dev.isolate.host.HostFacts;
import dev.isolate.host.JvmSetup;
import dev.isolate.host.join.TargetDescriptors;
import dev.isolate.host.network.ContainerNetwork;
import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.host.rootfs.Workspace;
import dev.isolate.plan.Planner;
import dev.isolate.plan.Prepared;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.UserNamespace;
import dev.isolate.state.PinnedProcess;
import dev.isolate.state.StateStore;
import dev.isolate.step.LaunchPlan;
import dev.isolate.supervise.ChildEvents;
import dev.isolate.supervise.Supervisor;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The pipeline from a validated spec to an exit status, in one place: check what the host
 * can do, claim the name, prepare the host (root filesystem, network), plan, supervise,
 * record how it ended. Everything that can fail on the input is checked before the host is
 * touched; what is prepared is undone when the container ends.
 */
public final class Launcher {
    /** Marks the arguments of the isolate that run -d starts: it supervises the name its starter claimed. */
    public static final String SUPERVISE_DETACHED_OPTION = "--supervise-detached";

    private final HostFacts facts;
    /** -v output; messages are built only when it is on. */
    private final Consumer<Supplier<String>> diagnostics;

    private Launcher(HostFacts facts, Consumer<Supplier<String>> diagnostics) {
        this.facts = facts;
        this.diagnostics = diagnostics;
    }

    /**
     * A launcher for this process, whose JVM must have been started as isolate needs.
     *
     * @throws dev.isolate.exit.Failure when it was not
     */
    public static Launcher forThisProcess(Consumer<Supplier<String>> diagnostics) {
        return new Launcher(JvmSetup.checkedFacts(), diagnostics);
    }

    /** The facts the spec is built from and the launch planned with, read once. */
    public HostFacts facts() {
        return facts;
    }

    /**
     * How a run is recorded.
     *
     * @param name               the container's name, for ps, exec, stop...; none means no record
     * @param detach             run -d: return once the command runs
     * @param superviseDetached  this isolate was started by run -d to supervise the name its starter claimed
     * @param arguments          isolate's arguments as main got them, for the isolate that run -d starts
     */
    public record Naming(Optional<String> name, boolean detach, boolean superviseDetached, List<String> arguments) {
        public Naming {
            arguments = List.copyOf(arguments);
        }
    }

    /** isolate run. */
    public int run(ContainerSpec spec, Naming naming) {
        spec.user().filter(UserNamespace::automatic).ifPresent(ns -> diagnostics.accept(() ->
                "no privilege to create namespaces: adding a user namespace where root is uid "
                        + facts.caller().uid() + " (--no-user-auto turns this off)"));
        // Without a root filesystem the names are the host's, known before anything is made.
        Optional<Credentials> hostCredentials = spec.runAs().changes() && spec.rootfs().isEmpty()
                ? Optional.of(Accounts.ofHost().resolve(spec.runAs())) : Optional.empty();
        Planner.check(spec, facts, hostCredentials);
        if (naming.detach() && !naming.superviseDetached()) {
            StateStore store = store();
            Recorder claim = Recorder.claim(store, naming.name().orElseGet(Detach::randomName), spec);
            return Detach.start(naming.arguments(), store, claim.record(), naming.name().isPresent());
        }
        Optional<Recorder> recorder = naming.name().map(name -> naming.superviseDetached()
                ? Recorder.adopt(store(), name) : Recorder.claim(store(), name, spec));
        try {
            int status = launch(spec, hostCredentials, recorder);
            recorder.ifPresent(r -> r.exited(status));
            return status;
        } catch (RuntimeException e) {
            // A detached supervisor's starter reads the error from the log, then frees the name.
            recorder.filter(r -> !naming.superviseDetached()).ifPresent(Recorder::failed);
            throw e;
        }
    }

    private int launch(ContainerSpec spec, Optional<Credentials> hostCredentials, Optional<Recorder> recorder) {
        try (ContainerNetwork network = ContainerNetwork.prepare(spec.network(), facts.caller(),
                facts.environment())) {
            Optional<RootFilesystem> rootfs = spec.rootfs().map(root -> root.withMountsFirst(network.mounts()));
            try (Workspace workspace = rootfs.isPresent() ? Workspace.prepare(rootfs.get(), spec.propagation(),
                    facts.caller().uid(), facts.environment()) : null) {
                Optional<RootfsLayout> layout = Optional.ofNullable(workspace).map(Workspace::layout);
                // In an image, only once it is there (unpacked, its overlay layers known).
                Optional<Credentials> credentials = layout.isPresent() && spec.runAs().changes()
                        ? Optional.of(Accounts.inRoot(layers(layout.get())).resolve(spec.runAs())) : hostCredentials;
                LaunchPlan plan = Planner.plan(spec, facts, new Prepared(layout, network.joinedNamespace(),
                        credentials));
                return Supervisor.create(facts.caller(), diagnostics).run(plan, new ChildEvents() {
                    @Override
                    public void waiting(int pid) {
                        network.attach(pid);
                    }

                    @Override
                    public void running(int pid) {
                        recorder.ifPresent(r -> r.running(pid));
                    }
                });
            }
        }
    }

    /**
     * isolate exec: the target is pinned before its namespaces are opened, so they are its own
     * even if it ends and its pid is reused meanwhile.
     *
     * @param target NAME|PID
     */
    public int exec(JoinSpec spec, String target) {
        try (PinnedProcess process = PinnedProcess.pin(store().resolve(target));
                TargetDescriptors descriptors = new TargetDescriptors(process, spec.namespaces(),
                        facts.caller().canCreate())) {
            return Supervisor.create(facts.caller(), diagnostics)
                    .run(Planner.planJoin(spec, facts, descriptors.target()), ChildEvents.NONE);
        }
    }

    /**
     * The directories the container's root is made of, uppermost first: a kept overlay upper
     * layer, then the image (a throw-away overlay's upper layer starts empty).
     */
    private static List<String> layers(RootfsLayout layout) {
        return layout.overlay().filter(overlay -> overlay.scratch().isEmpty())
                .map(overlay -> List.of(overlay.upper(), layout.image())).orElse(List.of(layout.image()));
    }

    /** The caller's named containers. */
    private StateStore store() {
        return StateStore.of(facts.caller().uid(), facts.environment());
    }
}
