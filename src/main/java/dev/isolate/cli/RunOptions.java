package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.host.HostFacts;
import dev.isolate.launch.Launcher;
import dev.isolate.spec.Cidr;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Containment;
import dev.isolate.spec.Environments;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Ipv4;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.Network;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.PublishedPort;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.RunAs;
import dev.isolate.spec.TimeOffsets;
import dev.isolate.spec.UserNamespace;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The options of {@code isolate run}, shared by the {@code isolate COMMAND} shorthand. */
final class RunOptions {
    @Option(names = {"-n", "--net"}, preprocessor = NetTakesNoValue.class, description = "New network namespace. Its lo is brought up, as bubblewrap and docker do. Same as --network none.")
    boolean net;

    @Option(names = "--network", preprocessor = DefaultNetworkMode.class, paramLabel = "MODE", description = {
        "none: a new namespace with only lo (as -n). host: the caller's network.",
        "veth[:HOSTADDR/PREFIX,CONTAINERADDR]: a veth pair, eth0 inside with a default route via the host end (without addresses, a free /30 of the --subnet pool).",
        "bridge[=NAME] (what a bare --network followed by another option means): eth0 on a bridge (isolate0, made on first use), a free address of its subnet, outbound traffic masqueraded.",
        "ns:NAME: the namespace of ip netns add NAME.",
        "pid:PID: the network of that process.",
        "slirp: user-mode networking through slirp4netns, without privilege."})
    String network;

    @Option(names = "--subnet", paramLabel = "CIDR", description = "The subnet of a bridge isolate creates (default 10.88.0.0/16), or the pool of veth pairs without addresses (default 10.89.0.0/16).")
    String subnet;

    @Option(names = "--ip", paramLabel = "ADDR", description = "The container's address on the bridge, instead of the first free one.")
    String ip;

    @Option(names = "--dns", paramLabel = "ADDR", description = "A name server for the container (needs -R): isolate replaces its /etc/resolv.conf. Repeatable.")
    List<String> dns = new ArrayList<>();

    @Option(names = "--mac", paramLabel = "MAC", description = "The hardware address of the container's eth0.")
    String mac;

    @Option(names = "--mtu", paramLabel = "BYTES", description = "The MTU of the container's interface and its host end.")
    Integer mtu;

    @Option(names = {"-P", "--publish"}, paramLabel = "HOSTPORT:PORT[/tcp|udp]", description = "Send connections to this port of the host's addresses to PORT in the container (veth, bridge, slirp). Repeatable.")
    List<String> publish = new ArrayList<>();

    @Option(names = {"-p", "--pid"}, description = "New PID namespace: COMMAND is PID 1. Implies -m and mounts a fresh /proc, so ps shows only the container.")
    boolean pid;

    @Option(names = {"-u", "--uts"}, paramLabel = "HOSTNAME", description = "New UTS namespace with this hostname (1-64 characters, letters, digits, inner hyphens and dots).")
    String hostname;

    @Option(names = {"-m", "--mount"}, description = "New mount namespace. Mount propagation is made private (recursively) first, so no mount made inside reaches the host.")
    boolean mount;

    @Option(names = {"-i", "--ipc"}, description = "New IPC namespace.")
    boolean ipc;

    @Option(names = {"-C", "--cgroup"}, description = "New cgroup namespace.")
    boolean cgroup;

    @Option(names = {"-T", "--time"}, description = "New time namespace.")
    boolean time;

    @Option(names = "--monotonic", paramLabel = "SECS", description = "Offset of CLOCK_MONOTONIC in the new time namespace. Implies -T.")
    Long monotonic;

    @Option(names = "--boottime", paramLabel = "SECS", description = "Offset of CLOCK_BOOTTIME in the new time namespace. Implies -T.")
    Long boottime;

    @Option(names = {"-U", "--user"}, description = "New user namespace. Without other mapping options, root inside is you outside (-r). Unprivileged callers get one automatically when they ask for other namespaces.")
    boolean user;

    @Option(names = {"-r", "--map-root-user"}, description = "Map uid and gid 0 inside to your own (implies -U).")
    boolean mapRoot;

    @Option(names = "--map-user", paramLabel = "UID", description = "Map your uid to UID inside instead of 0 (implies -U).")
    Long mapUser;

    @Option(names = "--map-group", paramLabel = "GID", description = "Map your gid to GID inside instead of 0 (implies -U).")
    Long mapGroup;

    @Option(names = "--map-users", paramLabel = "INNER:OUTER:COUNT", description = "Map COUNT uids from OUTER outside to INNER inside. Repeatable; without privilege, through newuidmap and /etc/subuid.")
    List<String> mapUsers = new ArrayList<>();

    @Option(names = "--map-groups", paramLabel = "INNER:OUTER:COUNT", description = "Map COUNT gids from OUTER outside to INNER inside. Repeatable; without privilege, through newgidmap and /etc/subgid.")
    List<String> mapGroups = new ArrayList<>();

    @Option(names = "--map-auto", description = "Map 0 to you and 1.. to your first ranges in /etc/subuid and /etc/subgid (as rootless podman does).")
    boolean mapAuto;

    @Option(names = "--setgroups", paramLabel = "allow|deny", description = "Whether setgroups(2) works inside. Default: what the kernel requires for the mapping.")
    SetGroups setgroups;

    @Option(names = "--no-user-auto", description = "Never create a user namespace unasked; without privilege, other namespaces then fail.")
    boolean noUserAuto;

    enum SetGroups { allow, deny }

    @Option(names = {"-R", "--rootfs"}, paramLabel = "PATH", description = "Run in this root filesystem, switched to with pivot_root: a directory, or a .tar/.tar.gz archive unpacked once into isolate's cache. Implies -m and -p; mounts a fresh /proc, a small /dev and a read-only /sys in it.")
    String rootfs;

    @Option(names = "--read-only", description = "Mount the root filesystem read-only (added mounts keep their own mode).")
    boolean readOnly;

    @Option(names = "--overlay", description = "Keep the image unchanged: the root becomes an overlayfs whose changes live in memory and vanish on exit.")
    boolean overlay;

    @Option(names = "--overlay-upper", paramLabel = "DIR", description = "Like --overlay, but keep the changes in DIR/upper (overlayfs's scratch space is DIR/work).")
    String overlayUpper;

    /** --bind, --ro-bind and --tmpfs in the order given: a later mount may land inside an earlier one. */
    private final List<Map.Entry<String, String>> mountOptions = new ArrayList<>();
    /** picocli passes a repeated option's values so far to its setter on each occurrence. */
    private final Map<String, Integer> valuesSeen = new HashMap<>();

    @Option(names = {"-b", "--bind"}, paramLabel = "SRC:DST[:ro]", description = "Bind a host file or directory (with what is mounted below it) on DST inside the root filesystem; :ro makes it read-only. Repeatable.")
    void bind(List<String> values) {
        addMountOptions("--bind", values);
    }

    @Option(names = "--ro-bind", paramLabel = "SRC:DST", description = "Same as --bind SRC:DST:ro. Repeatable.")
    void roBind(List<String> values) {
        addMountOptions("--ro-bind", values);
    }

    @Option(names = "--tmpfs", paramLabel = "DST[:size=N]", description = "Mount a fresh tmpfs (mode 1777) on DST inside the root filesystem; N in bytes with an optional k, m or g, or a percentage of memory. Repeatable.")
    void tmpfs(List<String> values) {
        addMountOptions("--tmpfs", values);
    }

    @Option(names = "--propagation", converter = PropagationValue.class, paramLabel = "private|slave|shared|unchanged", description = "How mounts flow between the host and the new mount namespace (default private: not at all).")
    Propagation propagation;

    @Option(names = {"-e", "--env"}, paramLabel = "NAME[=VALUE]", description = "Set a variable in COMMAND's environment; a bare NAME copies isolate's value. Repeatable.")
    List<String> env = new ArrayList<>();

    @Option(names = "--clear-env", description = "Start COMMAND with an empty environment (plus -e).")
    boolean clearEnv;

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory of COMMAND.")
    String workdir;

    @Option(names = {"-S", "--setuid"}, paramLabel = "UID|USER", description = "Run COMMAND as this user inside: a number, or a name in the passwd file COMMAND sees (the image's with -R). Without -G, the user's primary group; HOME becomes the user's home unless -e sets it.")
    String setuid;

    @Option(names = {"-G", "--setgid"}, paramLabel = "GID|GROUP", description = "Run COMMAND with this group inside: a number, or a name in the group file COMMAND sees.")
    String setgid;

    @Option(names = "--group-add", paramLabel = "GID|GROUP", description = "A supplementary group of COMMAND (otherwise, with -S or -G, it has none). Repeatable.")
    List<String> groupAdd = new ArrayList<>();

    /** --cap-add and --cap-drop in the order given (true for an add): each applies to what the ones before it left. */
    private final List<Map.Entry<Boolean, String>> capabilityChanges = new ArrayList<>();

    @Option(names = "--cap-add", paramLabel = "CAP", description = "Give COMMAND this capability (CAP_ prefix optional, any case; ALL for every one). Repeatable; applied in order with --cap-drop.")
    void capAdd(List<String> values) {
        addCapabilityChanges(true, values);
    }

    @Option(names = "--cap-drop", paramLabel = "CAP", description = "Take this capability from COMMAND (or ALL). Repeatable.")
    void capDrop(List<String> values) {
        addCapabilityChanges(false, values);
    }

    @Option(names = "--security-opt", paramLabel = "OPT", description = "seccomp=unconfined, seccomp=default or seccomp=FILE (a profile in docker's JSON format); no-new-privileges. Repeatable.")
    List<String> securityOpts = new ArrayList<>();

    @Option(names = "--privileged", description = "With -R: keep every capability, no seccomp filter, nothing masked in /proc and /sys (as docker's --privileged). Root in such a container is root on the host.")
    boolean privileged;

    @Option(names = "--preserve-fds", paramLabel = "N", description = "Pass descriptors 3 to 3+N-1 to COMMAND, and no others. Without it, a root filesystem container gets only 0, 1 and 2; without -R, COMMAND inherits what isolate's caller passed.")
    Integer preserveFds;

    @Option(names = {"-t", "--tty"}, description = "Give COMMAND a new pseudo-terminal (in the container's own /dev/pts with -R) as its stdin, stdout, stderr and controlling terminal; isolate relays it to its own.")
    boolean tty;

    @Option(names = "--interactive", description = "Accepted for docker's habit (-it): stdin is always passed. Note that -i is the IPC namespace here.")
    boolean interactive;

    @Option(names = "--init", description = "Run tini as PID 1 (found on PATH, tini-static first): it forwards signals to COMMAND, reaps orphans and exits with COMMAND's status.")
    boolean init;

    /** -S, -G and --group-add; a HOME given with -e, or no environment at all, is left alone. */
    private RunAs runAs() {
        boolean homeGiven = clearEnv || env.stream().anyMatch(value -> value.equals("HOME") || value.startsWith("HOME="));
        return new RunAs(Optional.ofNullable(setuid), Optional.ofNullable(setgid), groupAdd,
                setuid != null && !homeGiven);
    }

    @Option(names = "--name", paramLabel = "NAME", description = "Record the container under this name, for isolate ps, ns, stop, kill and rm (letters, digits, '_', '.', '-').")
    String name;

    @Option(names = {"-d", "--detach"}, description = "Return once COMMAND runs, printing the container's name (a random one without --name); its output goes to isolate logs NAME. A second isolate stays to supervise it.")
    boolean detach;

    /** Set on the isolate that run -d starts: it supervises the name its starter claimed. */
    @Option(names = Launcher.SUPERVISE_DETACHED_OPTION, hidden = true)
    boolean superviseDetached;

    @Option(names = "--dry-run", description = "Check everything, make nothing, and print on stdout what the launch would do: the host's set-up, the clone, the parent's steps and every child step as a system call, in strace's notation.")
    boolean dryRun;

    @Option(names = "--json", description = "With --dry-run: print it as one JSON document.")
    boolean json;

    /** --json belongs to --dry-run. */
    boolean dryRun() {
        if (json && !dryRun) {
            throw Failure.input("--json: only with --dry-run");
        }
        return dryRun;
    }

    @Option(names = {"-v", "--verbose"}, description = "Print what isolate does on stderr. Repeat for stack traces.")
    boolean[] verbose = new boolean[0];

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its arguments. A name without a slash is looked up in PATH, as execvp does.")
    List<String> command = new ArrayList<>();

    private void addCapabilityChanges(boolean add, List<String> values) {
        // Parsed with the rest of the command line, so that a bad name is one line.
        unseen(add ? "--cap-add" : "--cap-drop", values).forEach(value -> capabilityChanges.add(Map.entry(add, value)));
    }

    private void addMountOptions(String option, List<String> values) {
        unseen(option, values).forEach(value -> mountOptions.add(Map.entry(option, value)));
    }

    /** The values of a repeated option that its setter has not been given before. */
    private List<String> unseen(String option, List<String> values) {
        int seen = valuesSeen.getOrDefault(option, 0);
        valuesSeen.put(option, values.size());
        return values.subList(seen, values.size());
    }

    int verbosity() {
        return verbose.length;
    }

    MappingRequest mappingRequest() {
        return new MappingRequest(user, mapRoot, mapUser, mapGroup,
                mapUsers.stream().map(IdMapping::parse).toList(), mapGroups.stream().map(IdMapping::parse).toList(),
                mapAuto, setgroups == null ? null : setgroups == SetGroups.allow, noUserAuto);
    }

    ContainerSpec toSpec(HostFacts facts) {
        Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        Network network = network();
        if (network.mode().createsNamespace()) {
            namespaces.add(Namespace.NET);
        }
        if (pid || rootfs != null) {
            namespaces.add(Namespace.PID);
            namespaces.add(Namespace.MOUNT);
        }
        // A container gets its own hostname, SysV IPC and cgroup root, as docker gives one.
        Optional<String> containerHostname = Optional.ofNullable(hostname)
                .or(() -> rootfs == null ? Optional.empty() : Optional.of(name == null ? "isolate" : name));
        if (containerHostname.isPresent()) {
            namespaces.add(Namespace.UTS);
        }
        if (rootfs != null) {
            namespaces.add(Namespace.IPC);
            namespaces.add(Namespace.CGROUP);
        }
        if (mount) {
            namespaces.add(Namespace.MOUNT);
        }
        if (ipc) {
            namespaces.add(Namespace.IPC);
        }
        if (cgroup) {
            namespaces.add(Namespace.CGROUP);
        }
        TimeOffsets offsets = new TimeOffsets(monotonic == null ? 0 : monotonic, boottime == null ? 0 : boottime);
        if (time || monotonic != null || boottime != null) {
            namespaces.add(Namespace.TIME);
        }
        if (command.isEmpty()) {
            throw Failure.input("no command given: see isolate --help");
        }
        if (tty && detach) {
            throw Failure.input("-t and -d: a detached container cannot have a terminal yet (there is no way to"
                    + " attach to it); drop -t, and read its output with isolate logs");
        }
        Optional<UserNamespace> userNamespace = mappingRequest().resolve(facts, !namespaces.isEmpty());
        if (userNamespace.isPresent()) {
            namespaces.add(Namespace.USER);
        }
        Containment containment = Containment.of(rootfs != null, privileged, capabilityChanges.stream()
                .map(change -> Containment.CapabilityChange.parse(change.getKey(), change.getValue())).toList(),
                securityOpts,
                preserveFds == null ? OptionalInt.empty() : OptionalInt.of(preserveFds));
        return new ContainerSpec(namespaces, network, userNamespace, containerHostname, offsets,
                propagation == null ? Propagation.PRIVATE : propagation, rootFilesystem(),
                Environments.compose(facts.environment(), clearEnv, env), Optional.ofNullable(workdir), runAs(),
                containment, tty, init, command);
    }

    private Network network() {
        NetworkMode mode = network == null ? net ? new NetworkMode.Isolated() : new NetworkMode.Shared()
                : NetworkMode.parse(network);
        if (net && !mode.createsNamespace()) {
            throw Failure.input("-n and --network " + network + ": -n asks for a new network namespace");
        }
        return new Network(mode, Optional.ofNullable(subnet).map(value -> Cidr.parse("--subnet", value)),
                Optional.ofNullable(ip).map(value -> Ipv4.parse("--ip", value)),
                dns.stream().map(value -> Ipv4.parse("--dns", value)).toList(), Optional.ofNullable(mac),
                mtu == null ? OptionalInt.empty() : OptionalInt.of(mtu),
                publish.stream().map(PublishedPort::parse).toList());
    }

    /**
     * A bare --network means bridge when another option or nothing follows it. Any other word
     * after it is its value, so that a mistyped mode (--network brige true) is refused with
     * the rest of the command line instead of running "brige" on a bridge made for it.
     */
    static final class DefaultNetworkMode implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec option, Map<String, Object> info) {
            if (" ".equals(info.get("separator")) && (args.isEmpty() || args.peek().startsWith("-"))) {
                args.push("bridge");
            }
            return false;
        }
    }

    /** --propagation in unshare's lower case, listed so in the error too (picocli would list the constants). */
    static final class PropagationValue implements ITypeConverter<Propagation> {
        @Override
        public Propagation convert(String value) {
            for (Propagation propagation : Propagation.values()) {
                if (propagation.name().equalsIgnoreCase(value)) {
                    return propagation;
                }
            }
            throw new TypeConversionException("expected private, slave, shared or unchanged, but was '" + value + "'");
        }
    }

    /** -n takes no value; docker users write --net=MODE, which is --network MODE here. */
    static final class NetTakesNoValue implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec option, Map<String, Object> info) {
            if ("=".equals(info.get("separator"))) {
                String value = args.isEmpty() ? "" : args.peek();
                throw new ParameterException(command.commandLine(), "--net=" + value
                        + ": -n/--net takes no value; for docker's --net=MODE write --network " + value);
            }
            return false;
        }
    }

    private Optional<RootFilesystem> rootFilesystem() {
        if (rootfs == null) {
            String needsRoot = readOnly ? "--read-only" : overlay ? "--overlay" : overlayUpper != null
                    ? "--overlay-upper" : mountOptions.isEmpty() ? null : mountOptions.get(0).getKey();
            if (needsRoot != null) {
                throw Failure.input(needsRoot + ": needs a root filesystem (--rootfs)");
            }
            return Optional.empty();
        }
        List<Mount> mounts = mountOptions.stream().map(option -> mount(option.getKey(), option.getValue())).toList();
        Optional<RootFilesystem.Overlay> layers = overlay || overlayUpper != null
                ? Optional.of(new RootFilesystem.Overlay(Optional.ofNullable(overlayUpper)))
                : Optional.empty();
        return Optional.of(new RootFilesystem(rootfs, readOnly, layers, mounts));
    }

    static Mount mount(String option, String value) {
        String[] parts = value.split(":", -1);
        switch (option) {
            case "--tmpfs" -> {
                if (parts.length == 1) {
                    return new Mount.Tmpfs(parts[0], Optional.empty());
                }
                if (parts.length == 2 && parts[1].startsWith("size=")) {
                    return new Mount.Tmpfs(parts[0], Optional.of(parts[1].substring("size=".length())));
                }
            }
            case "--ro-bind" -> {
                if (parts.length == 2) {
                    return new Mount.Bind(parts[0], parts[1], true);
                }
            }
            default -> {
                if (parts.length == 2 || parts.length == 3 && (parts[2].equals("ro") || parts[2].equals("rw"))) {
                    return new Mount.Bind(parts[0], parts[1], parts.length == 3 && parts[2].equals("ro"));
                }
            }
        }
        String form = switch (option) {
            case "--tmpfs" -> "DST or DST:size=N";
            case "--ro-bind" -> "SRC:DST";
            default -> "SRC:DST, SRC:DST:ro or SRC:DST:rw";
        };
        throw Failure.input(option + " \"" + value + "\": expected " + form);
    }
}
