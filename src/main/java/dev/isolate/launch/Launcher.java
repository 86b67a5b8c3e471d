package dev.isolate.launch;

import dev.isolate.dryrun.DryRun;
import dev.isolate.dryrun.HostAction;
import dev.isolate.exit.ExitStatus;
import dev.isolate.exit.Failure;
import dev.isolate.exit.Messages;
import dev.isolate.host.Accounts;
import dev.isolate.host.HostFacts;
import dev.isolate.host.InitProgram;
import dev.isolate.host.JvmSetup;
import dev.isolate.host.cgroup.ContainerCgroup;
import dev.isolate.host.cgroup.GracePeriod;
import dev.isolate.host.cgroup.Hierarchies;
import dev.isolate.host.cgroup.TargetCgroups;
import dev.isolate.host.join.TargetDescriptors;
import dev.isolate.host.network.ContainerNetwork;
import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.host.rootfs.Workspace;
import dev.isolate.host.seccomp.FilterCache;
import dev.isolate.host.seccomp.SeccompCompiler;
import dev.isolate.plan.Planner;
import dev.isolate.plan.Prepared;
import dev.isolate.spec.CapabilitySets;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Credentials;
import dev.isolate.spec.JoinSpec;
import dev.isolate.spec.Mount;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.spec.UserNamespace;
import dev.isolate.state.ContainerRecord;
import dev.isolate.state.PinnedProcess;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.state.StateStore;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.SocketFilter;
import dev.isolate.supervise.ChildEvents;
import dev.isolate.supervise.Supervisor;
import dev.isolate.sys.IdleFilePages;
import dev.isolate.terminal.TerminalRelay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.function.Consumer;
import java.util.function.Function;
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
        Optional<Credentials> hostCredentials = hostCredentials(spec);
        Planner.check(spec, facts, hostCredentials);
        Optional<InitProgram> init = init(spec);
        Optional<SocketFilter> seccomp = seccomp(spec, seccompCompiler(true));
        ContainerCgroup.Decision cgroup = cgroup(spec);
        if (naming.detach() && !naming.superviseDetached()) {
            StateStore store = store();
            // The supervisor run -d starts makes the cgroup, and records it when it takes the name over.
            Recorder claim = Recorder.claim(store, naming.name().orElseGet(Detach::randomName), spec,
                    seccomp, List.of());
            return Detach.start(naming.arguments(), store, claim.record(), naming.name().isPresent());
        }
        List<String> cgroups = recorded(cgroup);
        Optional<Recorder> recorder = naming.name().map(name -> naming.superviseDetached()
                ? Recorder.adopt(store(), name, cgroups) : Recorder.claim(store(), name, spec, seccomp, cgroups));
        try {
            return launch(spec, hostCredentials, init, seccomp, cgroup, recorder, Optional.empty());
        } catch (RuntimeException e) {
            // A detached supervisor's starter reads the error from the log, then frees the name.
            recorder.filter(r -> !naming.superviseDetached()).ifPresent(Recorder::failed);
            throw e;
        }
    }

    /**
     * A bundle's container that outlives this isolate.
     *
     * @param pid     its process, waiting at its start gate
     * @param cgroups its cgroup, kept for delete to remove (see host.cgroup.KeptCgroup)
     */
    public record Created(int pid, List<Path> cgroups) {
        public Created {
            cgroups = List.copyOf(cgroups);
        }
    }

    /**
     * isolate-runtime create: the container set up in full, its process left waiting before
     * execve at its start gate (see Prepared#startGate), with no parent-death signal, so that
     * it outlives this isolate and is reaped by the engine's subreaper.
     *
     * @param startGate a descriptor (O_PATH, close-on-exec) of the container's FIFO
     */
    public Created create(ContainerSpec spec, int startGate, BundleEvents events) {
        if (spec.rootfs().flatMap(root -> root.bundle()).isEmpty()) {
            throw new IllegalArgumentException("create takes a bundle's spec");
        }
        BundleRun bundle = new BundleRun(OptionalInt.of(startGate), events);
        int pid = prepareAndLaunch(spec, bundle);
        return new Created(pid, bundle.keptCgroups);
    }

    /**
     * isolate-runtime run: a bundle's container in the foreground, as isolate run would run it,
     * its cgroup removed when it ends.
     *
     * @return the command's exit status
     */
    public int runBundle(ContainerSpec spec, BundleEvents events) {
        if (spec.rootfs().flatMap(root -> root.bundle()).isEmpty()) {
            throw new IllegalArgumentException("runBundle takes a bundle's spec");
        }
        return prepareAndLaunch(spec, new BundleRun(OptionalInt.empty(), events));
    }

    private int prepareAndLaunch(ContainerSpec spec, BundleRun bundle) {
        Planner.check(spec, facts, Optional.empty());
        Optional<SocketFilter> seccomp = seccomp(spec, seccompCompiler(true));
        return launch(spec, Optional.empty(), Optional.empty(), seccomp, cgroup(spec), Optional.empty(),
                Optional.of(bundle));
    }

    /** A bundle's launch: its gate, if it has one, its events, and the cgroup it keeps. */
    private static final class BundleRun {
        final OptionalInt gate;
        final BundleEvents events;
        List<Path> keptCgroups = List.of();

        BundleRun(OptionalInt gate, BundleEvents events) {
            this.gate = gate;
            this.events = events;
        }
    }

    /** @return the exit status, or for a gated bundle the pid of its waiting process */
    private int launch(ContainerSpec spec, Optional<Credentials> hostCredentials, Optional<InitProgram> init,
            Optional<SocketFilter> seccomp, ContainerCgroup.Decision cgroupDecision, Optional<Recorder> recorder,
            Optional<BundleRun> bundle) {
        OptionalInt gate = bundle.map(run -> run.gate).orElse(OptionalInt.empty());
        try (ContainerNetwork network = ContainerNetwork.prepare(spec.network(), facts.caller(),
                facts.environment())) {
            Optional<Workspace.Decision> rootfs = rootfs(spec, network, init);
            try (Workspace workspace = rootfs.isPresent() ? Workspace.prepare(rootfs.get(), facts.caller().uid(),
                    facts.environment()) : null) {
                Optional<RootfsLayout> layout = Optional.ofNullable(workspace).map(Workspace::layout);
                // The cgroup is made before the plan, while the grace period begun at main may still run (GracePeriod).
                try (ContainerCgroup cgroup = ContainerCgroup.prepare(cgroupDecision, diagnostics);
                        TerminalRelay terminal = spec.terminal() && bundle.isEmpty() ? new TerminalRelay(
                        spec.rootfs().isPresent() ? "the container's own devpts" : "the host's devpts", diagnostics)
                        : null) {
                    LaunchPlan plan = Planner.plan(spec, facts, new Prepared(layout, network.joinedNamespace(),
                            credentials(spec, layout, hostCredentials), seccomp, executed(spec, init),
                            cgroupView(cgroupDecision), gate));
                    ChildEvents events = new ChildEvents() {
                        @Override
                        public void waiting(int pid) {
                            cgroup.attach(pid);
                            network.attach(pid);
                            bundle.ifPresent(run -> run.events.created(pid));
                        }

                        @Override
                        public void took(ParentStep.TakeDescriptor step, int fd) {
                            // -t's master is the one descriptor a plan takes.
                            if (bundle.isPresent()) {
                                bundle.get().events.terminal(fd);
                            } else {
                                Objects.requireNonNull(terminal, "a descriptor taken without -t").attach(fd);
                            }
                        }

                        @Override
                        public void running(int pid) {
                            recorder.ifPresent(r -> r.running(pid));
                            if (recorder.filter(Recorder::detached).isPresent()) {
                                releaseIdlePages();
                            }
                            bundle.ifPresent(run -> run.events.running(pid));
                            if (terminal != null) {
                                terminal.relay(pid);
                            }
                        }
                    };
                    Supervisor supervisor = Supervisor.create(facts.caller(), diagnostics);
                    if (gate.isPresent()) {
                        int pid = supervisor.startGated(plan, events);
                        bundle.get().keptCgroups = cgroup.keep();
                        return pid;
                    }
                    int status = supervisor.run(plan, events);
                    boolean outOfMemory = status == ExitStatus.SIGNALLED + 9 && cgroup.outOfMemory();
                    if (outOfMemory) {
                        System.err.println(Messages.line("isolate: " + spec.command().get(0) + ": the kernel's OOM"
                                + " killer ended it at the container's memory limit ("
                                + spec.resources().memory().getAsLong() + " bytes)"));
                    }
                    recorder.ifPresent(r -> r.exited(status, outOfMemory));
                    return status;
                }
            }
        }
    }

    /**
     * A detached container's supervisor, its command running and its starter gone, waits from
     * now on, as long as the container runs: the pages of its start that it holds for nothing
     * go back (see IdleFilePages); a failure to release them costs nothing but that memory.
     */
    private void releaseIdlePages() {
        try {
            long released = IdleFilePages.releaseTheJdks();
            diagnostics.accept(() -> "released " + released / 1024 + " kB of the JDK's mappings");
        } catch (IOException | RuntimeException e) {
            diagnostics.accept(() -> "the JDK's idle pages stay: " + e);
        }
    }

    /**
     * The container's cgroup, decided before anything is made: a limit the host cannot
     * enforce is refused here.
     */
    private ContainerCgroup.Decision cgroup(ContainerSpec spec) {
        ContainerCgroup.Decision decision = ContainerCgroup.decide(spec.resources(), facts.caller(), GracePeriod::hierarchies,
                spec.resources().name().orElseGet(() -> ContainerCgroup.leafName(ProcessIdentity.self())));
        if (!decision.makes()) {
            GracePeriod.end(); // begun at main, for nothing
        }
        return decision;
    }

    /** The cgroup directories as a container's record holds them. */
    private static List<String> recorded(ContainerCgroup.Decision cgroup) {
        return cgroup.directories().stream().map(Path::toString).toList();
    }

    /**
     * The container's cgroup as a root filesystem's /sys/fs/cgroup shows it: on cgroup v2 alone,
     * its one directory; otherwise a directory per hierarchy, named as the hierarchy's mount
     * point on the host, or after its controllers where that name is missing or another's.
     */
    static List<Prepared.CgroupDirectory> cgroupView(ContainerCgroup.Decision decision) {
        List<ContainerCgroup.Leaf> leaves = decision.leaves();
        if (leaves.size() == 1 && leaves.get(0).hierarchy().unified()) {
            return List.of(Prepared.CgroupDirectory.unified(leaves.get(0).leaf().toString()));
        }
        List<Prepared.CgroupDirectory> view = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ContainerCgroup.Leaf leaf : leaves) {
            Hierarchies.Hierarchy hierarchy = leaf.hierarchy();
            Path mountPoint = hierarchy.mountPoint().getFileName();
            String controllers = hierarchy.unified() ? "unified"
                    : String.join(",", new TreeSet<>(hierarchy.controllers()));
            String name = mountPoint == null || names.contains(mountPoint.toString()) ? controllers
                    : mountPoint.toString();
            for (int n = 2; !names.add(name); n++) {
                name = controllers + "." + n;
            }
            view.add(new Prepared.CgroupDirectory(name, leaf.leaf().toString()));
        }
        return view;
    }

    /** --init's program, looked up on the caller's PATH before anything is made. */
    private Optional<InitProgram> init(ContainerSpec spec) {
        if (!spec.init()) {
            return Optional.empty();
        }
        boolean inRootFilesystem = spec.rootfs().isPresent();
        InitProgram init = InitProgram.find(facts.environment(), inRootFilesystem);
        diagnostics.accept(() -> "--init: " + init.path() + (inRootFilesystem
                ? ", bound read-only on " + InitProgram.CONTAINER_PATH : ""));
        return Optional.of(init);
    }

    /** The path the child executes for the init: where it is bound in a root filesystem, else the host's. */
    private static Optional<String> executed(ContainerSpec spec, Optional<InitProgram> init) {
        return init.map(program -> program.executedPath(spec.rootfs().isPresent()));
    }

    /**
     * The spec's seccomp filter, compiled before anything on the host is changed: a profile that
     * cannot be read or compiled is an input error.
     */
    private static Optional<SocketFilter> seccomp(ContainerSpec spec, SeccompCompiler compiler) {
        return compiler.compile(spec.containment().seccomp(), spec.containment().capabilities()
                .map(CapabilitySets::bounding));
    }

    /**
     * How this launcher compiles seccomp profiles: with a cache of the caller's own.
     *
     * @param keep whether a newly compiled filter is kept in the cache (not in a dry run)
     */
    public SeccompCompiler seccompCompiler(boolean keep) {
        Optional<Path> directory = FilterCache.defaultDirectory(facts.caller().uid(), facts.environment());
        Optional<FilterCache> cache = Optional.empty();
        if (directory.isPresent()) { // no lambdas: this is on every launch's path (see SeccompCompiler)
            FilterCache kept = new FilterCache(directory.get(), facts.caller().uid(), diagnostics);
            cache = Optional.of(keep ? kept : kept.readOnly());
        }
        return new SeccompCompiler(facts.kernel(), cache, diagnostics);
    }

    /** Without a root filesystem the names are the host's, known before anything is made. */
    private static Optional<Credentials> hostCredentials(ContainerSpec spec) {
        return spec.runAs().changes() && spec.rootfs().isEmpty()
                ? Optional.of(Accounts.ofHost().resolve(spec.runAs())) : Optional.empty();
    }

    /** In an image, the names are known only once it is there (unpacked, its overlay layers known). */
    private static Optional<Credentials> credentials(ContainerSpec spec, Optional<RootfsLayout> layout,
            Optional<Credentials> hostCredentials) {
        return layout.isPresent() && spec.runAs().changes()
                ? Optional.of(Accounts.inRoot(layers(layout.get())).resolve(spec.runAs())) : hostCredentials;
    }

    /**
     * The directories the container's root is made of, uppermost first: a kept overlay upper
     * layer, then the image (a throw-away overlay's upper layer starts empty).
     */
    private static List<String> layers(RootfsLayout layout) {
        return layout.overlay().filter(overlay -> overlay.scratch().isEmpty())
                .map(overlay -> List.of(overlay.upper(), layout.image())).orElse(List.of(layout.image()));
    }

    /** The image with the mounts the launch adds before the user's: the network's resolv.conf, the init. */
    private Optional<Workspace.Decision> rootfs(ContainerSpec spec, ContainerNetwork network,
            Optional<InitProgram> init) {
        Set<String> ownFiles = network.mounts().stream().map(mount -> ((Mount.Bind) mount).source())
                .collect(Collectors.toSet());
        List<Mount> first = new ArrayList<>(network.mounts());
        init.ifPresent(program -> first.add(program.binding()));
        return spec.rootfs().map(root -> Workspace.decide(root.withMountsFirst(first), spec.propagation(),
                facts.caller().uid(), facts.environment(), ownFiles));
    }

    /**
     * isolate run --dry-run: everything {@link #run} checks, checked the same way, and what it
     * would do, decided as it decides, with nothing made: no record, file, mount, link or rule.
     *
     * @throws dev.isolate.exit.Failure when the launch would be refused
     */
    public DryRun dryRun(ContainerSpec spec, Naming naming) {
        Optional<Credentials> hostCredentials = hostCredentials(spec);
        Planner.check(spec, facts, hostCredentials);
        Optional<InitProgram> init = init(spec);
        Optional<SocketFilter> seccomp = seccomp(spec, seccompCompiler(false));
        List<HostAction> host = new ArrayList<>();
        Optional<String> name = naming.detach() ? Optional.of(naming.name().orElseGet(Detach::randomName))
                : naming.name();
        ContainerCgroup.Decision cgroup = cgroup(spec);
        if (name.isPresent()) {
            StateStore store = StateStore.existing(facts.caller().uid(), facts.environment());
            ContainerRecord record = Recorder.starting(name.get(), spec, seccomp,
                    naming.detach() ? List.of() : recorded(cgroup));
            store.requireClaimable(record.name());
            host.add(HostAction.before("claim the name \"" + record.name() + "\" (under the store's lock): "
                    + store.record(record.name()), StateStore.text(record).lines().toList()));
            if (naming.detach()) {
                host.add(HostAction.before("run -d: start a second isolate (setsid, stdin /dev/null, output to "
                        + store.log(record.name()) + ") that supervises the container; print the name once"
                        + " the command runs", List.of()));
            }
        }
        try (ContainerNetwork network = ContainerNetwork.dryRun(spec.network(), facts.caller(),
                facts.environment())) {
            host.addAll(network.actions());
            if (cgroup.makes()) {
                host.add(HostAction.before("make the container's cgroup and write its limits", cgroup.describe()));
                host.add(HostAction.whileWaiting("move the child into its cgroup (write its pid to cgroup.procs of"
                        + " each directory); when the command ends, kill what is left in it and remove it", List.of()));
            }
            Optional<Workspace.Decision> rootfs = rootfs(spec, network, init);
            rootfs.ifPresent(decision -> host.addAll(decision.actions()));
            Optional<RootfsLayout> layout = rootfs.map(Workspace.Decision::layout);
            LaunchPlan plan = Planner.plan(spec, facts, new Prepared(layout, network.joinedNamespace(),
                    dryRunCredentials(spec, layout, hostCredentials), seccomp, executed(spec, init),
                    cgroupView(cgroup), OptionalInt.empty()));
            return new DryRun(spec.command(), host, plan);
        }
    }

    /** Names in an image are read from it as a launch would, if it is there to read (an archive may not be unpacked yet). */
    private static Optional<Credentials> dryRunCredentials(ContainerSpec spec, Optional<RootfsLayout> layout,
            Optional<Credentials> hostCredentials) {
        if (layout.isPresent() && spec.runAs().changes()
                && !layers(layout.get()).stream().allMatch(layer -> Files.isDirectory(Path.of(layer)))) {
            throw Failure.input("--dry-run: -S, -G and --group-add are looked up in the image, which is not"
                    + " unpacked yet: give numbers, or run once to unpack it");
        }
        return credentials(spec, layout, hostCredentials);
    }

    /**
     * isolate exec --dry-run: the target is pinned and its descriptors opened (reading), and
     * the join is planned, not run.
     */
    public DryRun dryRunExec(JoinSpec spec, String target) {
        StateStore store = StateStore.existing(facts.caller().uid(), facts.environment());
        try (PinnedProcess process = PinnedProcess.pin(store.resolve(target));
                TargetDescriptors descriptors = new TargetDescriptors(process, spec.namespaces(),
                        facts.caller().canCreate())) {
            long pid = process.identity().pid();
            List<String> opened = new ArrayList<>();
            descriptors.target().namespaceFds().forEach((type, fd) ->
                    opened.add("descriptor " + fd + ": /proc/" + pid + "/ns/" + type.procName()));
            descriptors.target().rootFd().ifPresent(fd -> opened.add("descriptor " + fd + ": /proc/" + pid + "/root"));
            descriptors.target().cwdFd().ifPresent(fd -> opened.add("descriptor " + fd + ": /proc/" + pid + "/cwd"));
            List<HostAction> host = new ArrayList<>(List.of(HostAction.before("pin process " + pid + " (start time "
                    + process.identity().startTime() + ") by its /proc directory and open, through it, what the"
                    + " child enters (this dry run's numbers; the launch's may differ)", opened)));
            List<Path> cgroups = TargetCgroups.of(process, GracePeriod.hierarchies(), facts.caller()).directories();
            if (!cgroups.isEmpty()) {
                host.add(HostAction.whileWaiting("move the child into the target's cgroups (write its pid to"
                        + " cgroup.procs of each)", cgroups.stream().map(Path::toString).toList()));
            }
            return new DryRun(spec.command(), host, Planner.planJoin(spec, facts, descriptors.target(),
                    recordedFilter(store, process.identity())));
        }
    }

    /**
     * isolate exec: the target is pinned before its namespaces and cgroups are read, so they are
     * its own even if it ends and its pid is reused meanwhile. The command joins the target's
     * cgroups while it waits, as a launch's command joins the container's, so that it runs
     * within the container's limits from its first instruction.
     *
     * @param target NAME|PID
     */
    public int exec(JoinSpec spec, String target) {
        StateStore store = store();
        return join(spec, store.resolve(target), process -> recordedFilter(store, process), false);
    }

    /**
     * isolate-runtime exec: into the process of a bundle's container, under the bundle's seccomp
     * profile (compiled here, as at create), in the foreground or left running.
     *
     * @param pid    the container's process, as the runtime recorded it
     * @param detach return the command's pid once it runs, with no parent-death signal armed: the
     *               engine's subreaper reaps it
     * @return the command's exit status, or with {@code detach} its pid
     */
    public int execBundle(JoinSpec spec, ProcessIdentity pid, SeccompProfile seccomp, boolean detach) {
        Optional<SocketFilter> filter = seccompCompiler(true).compile(seccomp, Optional.empty());
        return join(spec, pid, process -> filter, detach);
    }

    private int join(JoinSpec spec, ProcessIdentity target, Function<ProcessIdentity, Optional<SocketFilter>> filter,
            boolean detach) {
        try (PinnedProcess process = PinnedProcess.pin(target);
                TargetDescriptors descriptors = new TargetDescriptors(process, spec.namespaces(),
                        facts.caller().canCreate())) {
            TargetCgroups cgroups = TargetCgroups.of(process, GracePeriod.hierarchies(), facts.caller());
            if (!cgroups.directories().isEmpty()) {
                diagnostics.accept(() -> "the command joins the target's cgroups: " + cgroups.directories());
            }
            LaunchPlan plan = Planner.planJoin(spec, facts, descriptors.target(), filter.apply(process.identity()),
                    !detach);
            ChildEvents events = new ChildEvents() {
                @Override
                public void waiting(int pid) {
                    cgroups.attach(pid);
                }
            };
            Supervisor supervisor = Supervisor.create(facts.caller(), diagnostics);
            return detach ? supervisor.startDetached(plan, events) : supervisor.run(plan, events);
        }
    }

    /** The seccomp filter isolate recorded for the container whose command this process is, by name or by pid. */
    private static Optional<SocketFilter> recordedFilter(StateStore store, ProcessIdentity process) {
        return store.all().stream().filter(record -> record.command().equals(Optional.of(process)))
                .findFirst().flatMap(ContainerRecord::seccomp);
    }

    /** The caller's named containers. */
    private StateStore store() {
        return StateStore.of(facts.caller().uid(), facts.environment());
    }
}
