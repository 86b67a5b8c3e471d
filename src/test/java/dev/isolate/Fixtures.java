package dev.isolate;

import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.host.KernelVersion;
import dev.isolate.host.SubordinateMapping;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Containment;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.Network;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.Resources;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.RunAs;
import dev.isolate.spec.TimeOffsets;
import dev.isolate.spec.Tunables;
import dev.isolate.spec.UserNamespace;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Callers, host facts and specs for tests that must not depend on who runs them or where. */
public final class Fixtures {
    public static final Caller ROOT = new Caller(0, 0, "root", true, true);
    public static final Caller USER = new Caller(1000, 1000, "alice", false, false);

    /** The caller's network, as without any option. */
    public static final Network HOST_NETWORK = network(new NetworkMode.Shared());
    /** A new namespace with only lo, as -n gives. */
    public static final Network ISOLATED_NETWORK = network(new NetworkMode.Isolated());

    private Fixtures() {
    }

    /** A network of this mode with no settings. */
    public static Network network(NetworkMode mode) {
        return new Network(mode, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), OptionalInt.empty(),
                List.of());
    }

    /** Host facts: Linux 6.1, root, no passed descriptors, no subordinate ids, no helpers, no handlers. */
    public static Facts facts() {
        return new Facts();
    }

    /** A spec that runs {@code true} with nothing isolated; each setter changes one part. */
    public static Spec spec() {
        return new Spec();
    }

    public static final class Facts {
        private KernelVersion kernel = new KernelVersion(6, 1);
        private Caller caller = ROOT;
        private Map<String, String> environment = Map.of();
        private Set<Integer> passedFds = Set.of();
        private List<IdMapping> subordinateUids = List.of();
        private List<IdMapping> subordinateGids = List.of();
        private Optional<String> newuidmap = Optional.empty();
        private Optional<String> newgidmap = Optional.empty();
        private List<Integer> handledSignals = List.of();
        private long boundingSet = (1L << 41) - 1;
        private int lastCapability = 40;

        public Facts kernel(int major, int minor) {
            kernel = new KernelVersion(major, minor);
            return this;
        }

        public Facts caller(Caller caller) {
            this.caller = caller;
            return this;
        }

        public Facts environment(Map<String, String> environment) {
            this.environment = environment;
            return this;
        }

        public Facts passedFds(Integer... fds) {
            passedFds = Set.of(fds);
            return this;
        }

        public Facts subordinates(List<IdMapping> uids, List<IdMapping> gids) {
            subordinateUids = uids;
            subordinateGids = gids;
            return this;
        }

        /** newuidmap and newgidmap, as Debian installs them. */
        public Facts helpers() {
            newuidmap = Optional.of("/usr/bin/newuidmap");
            newgidmap = Optional.of("/usr/bin/newgidmap");
            return this;
        }

        public Facts handledSignals(Integer... signals) {
            handledSignals = List.of(signals);
            return this;
        }

        /** isolate's own bounding set, as /proc/self/status shows it in CapBnd. */
        public Facts boundingSet(long mask) {
            boundingSet = mask;
            return this;
        }

        public HostFacts build() {
            return new HostFacts(kernel, caller, environment, passedFds,
                    SubordinateMapping.known(subordinateUids, subordinateGids, newuidmap, newgidmap), handledSignals,
                    boundingSet, lastCapability, false);
        }
    }

    public static final class Spec {
        private Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        private Optional<Network> network = Optional.empty();
        private Optional<UserNamespace> user = Optional.empty();
        private Optional<String> hostname = Optional.empty();
        private TimeOffsets timeOffsets = TimeOffsets.NONE;
        private Propagation propagation = Propagation.PRIVATE;
        private Optional<RootFilesystem> rootfs = Optional.empty();
        private Map<String, String> environment = Map.of();
        private Optional<String> workdir = Optional.empty();
        private Containment containment = Containment.NONE;
        private Resources resources = Resources.NONE;
        private Tunables tunables = Tunables.NONE;
        private boolean terminal;
        private boolean init;
        private RunAs runAs = RunAs.UNCHANGED;
        private List<String> command = List.of("true");

        /**
         * These namespaces too; NET with a network of only lo unless {@link #network} says
         * otherwise, USER with the root mapping of uid 1000 unless {@link #user} says otherwise.
         */
        public Spec namespaces(Set<Namespace> namespaces) {
            this.namespaces.addAll(namespaces);
            return this;
        }

        public Spec namespaces(Namespace first, Namespace... rest) {
            return namespaces(EnumSet.of(first, rest));
        }

        public Spec network(Network network) {
            this.network = Optional.of(network);
            return this;
        }

        /** A new user namespace with these maps. */
        public Spec user(UserNamespace user) {
            this.user = Optional.of(user);
            namespaces.add(Namespace.USER);
            return this;
        }

        /** A new UTS namespace with this hostname. */
        public Spec hostname(String hostname) {
            this.hostname = Optional.of(hostname);
            namespaces.add(Namespace.UTS);
            return this;
        }

        public Spec timeOffsets(TimeOffsets offsets) {
            timeOffsets = offsets;
            return this;
        }

        public Spec propagation(Propagation propagation) {
            this.propagation = propagation;
            return this;
        }

        /** This root filesystem, with the mount and PID namespaces it comes with. */
        public Spec rootfs(RootFilesystem rootfs) {
            this.rootfs = Optional.of(rootfs);
            namespaces.add(Namespace.MOUNT);
            namespaces.add(Namespace.PID);
            return this;
        }

        public Spec environment(Map<String, String> environment) {
            this.environment = environment;
            return this;
        }

        public Spec workdir(String workdir) {
            this.workdir = Optional.of(workdir);
            return this;
        }

        public Spec containment(Containment containment) {
            this.containment = containment;
            return this;
        }

        public Spec resources(Resources resources) {
            this.resources = resources;
            return this;
        }

        public Spec tunables(Tunables tunables) {
            this.tunables = tunables;
            return this;
        }

        public Spec terminal() {
            terminal = true;
            return this;
        }

        public Spec init() {
            init = true;
            return this;
        }

        public Spec runAs(RunAs runAs) {
            this.runAs = runAs;
            return this;
        }

        public Spec command(String... command) {
            this.command = List.of(command);
            return this;
        }

        public ContainerSpec build() {
            Network net = network.orElse(namespaces.contains(Namespace.NET) ? ISOLATED_NETWORK : HOST_NETWORK);
            Optional<UserNamespace> users = user.isPresent() || !namespaces.contains(Namespace.USER) ? user
                    : Optional.of(UserNamespace.rootMapping(1000, 1000, false));
            return new ContainerSpec(namespaces, net, users, hostname, timeOffsets, propagation, rootfs, environment,
                    workdir, runAs, containment, resources, tunables, terminal, init, command);
        }
    }
}
