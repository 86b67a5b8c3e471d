package dev.isolate.cli;

import static dev.isolate.cli.CommandModel.count;
import static dev.isolate.cli.CommandModel.countedFlag;
import static dev.isolate.cli.CommandModel.flag;
import static dev.isolate.cli.CommandModel.inOrder;
import static dev.isolate.cli.CommandModel.isSet;
import static dev.isolate.cli.CommandModel.operands;
import static dev.isolate.cli.CommandModel.option;
import static dev.isolate.cli.CommandModel.repeatable;
import static dev.isolate.cli.CommandModel.value;
import static dev.isolate.cli.CommandModel.values;

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
import java.util.OptionalLong;
import java.util.Set;
import java.util.Stack;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The options of {@code isolate run}, shared by the {@code isolate COMMAND} shorthand: their
 * model, and the spec their values make.
 */
final class RunOptions {
    final OptionSpec net = OptionSpec.builder("-n", "--net").arity("0").type(boolean.class)
            .preprocessor(new NetTakesNoValue()).description("New network namespace. Its lo is brought up, as bubblewrap and docker do. Same as --network none.").build();
    final OptionSpec network = OptionSpec.builder("--network").type(String.class).paramLabel("MODE")
            .preprocessor(new DefaultNetworkMode()).description(
        "none: a new namespace with only lo (as -n). host: the caller's network.",
        "veth[:HOSTADDR/PREFIX,CONTAINERADDR]: a veth pair, eth0 inside with a default route via the host end (without addresses, a free /30 of the --subnet pool).",
        "bridge[=NAME] (what a bare --network followed by another option means): eth0 on a bridge (isolate0, made on first use), a free address of its subnet, outbound traffic masqueraded.",
        "ns:NAME: the namespace of ip netns add NAME.",
        "pid:PID: the network of that process.",
        "slirp: user-mode networking through slirp4netns, without privilege.").build();
    final OptionSpec subnet = option("CIDR", "The subnet of a bridge isolate creates (default 10.88.0.0/16), or the pool of veth pairs without addresses (default 10.89.0.0/16).", "--subnet");
    final OptionSpec ip = option("ADDR", "The container's address on the bridge, instead of the first free one.", "--ip");
    final OptionSpec dns = repeatable("ADDR", "A name server for the container (needs -R): isolate replaces its /etc/resolv.conf. Repeatable.", "--dns");
    final OptionSpec mac = option("MAC", "The hardware address of the container's eth0.", "--mac");
    final OptionSpec mtu = option(Integer.class, "BYTES", "The MTU of the container's interface and its host end.", "--mtu");
    final OptionSpec publish = repeatable("HOSTPORT:PORT[/tcp|udp]", "Send connections to this port of the host's addresses to PORT in the container (veth, bridge, slirp). Repeatable.", "-P", "--publish");
    final OptionSpec pid = flag("New PID namespace: COMMAND is PID 1. Implies -m and mounts a fresh /proc, so ps shows only the container.", "-p", "--pid");
    final OptionSpec hostname = option("HOSTNAME", "New UTS namespace with this hostname (1-64 characters, letters, digits, inner hyphens and dots).", "-u", "--uts");
    final OptionSpec mount = flag("New mount namespace. Mount propagation is made private (recursively) first, so no mount made inside reaches the host.", "-m", "--mount");
    final OptionSpec ipc = flag("New IPC namespace.", "-i", "--ipc");
    final OptionSpec cgroup = flag("New cgroup namespace.", "-C", "--cgroup");
    final OptionSpec time = flag("New time namespace.", "-T", "--time");
    final OptionSpec monotonic = option(Long.class, "SECS", "Offset of CLOCK_MONOTONIC in the new time namespace. Implies -T.", "--monotonic");
    final OptionSpec boottime = option(Long.class, "SECS", "Offset of CLOCK_BOOTTIME in the new time namespace. Implies -T.", "--boottime");
    final OptionSpec user = flag("New user namespace. Without other mapping options, root inside is you outside (-r). Unprivileged callers get one automatically when they ask for other namespaces.", "-U", "--user");
    final OptionSpec mapRoot = flag("Map uid and gid 0 inside to your own (implies -U).", "-r", "--map-root-user");
    final OptionSpec mapUser = option(Long.class, "UID", "Map your uid to UID inside instead of 0 (implies -U).", "--map-user");
    final OptionSpec mapGroup = option(Long.class, "GID", "Map your gid to GID inside instead of 0 (implies -U).", "--map-group");
    final OptionSpec mapUsers = repeatable("INNER:OUTER:COUNT", "Map COUNT uids from OUTER outside to INNER inside. Repeatable; without privilege, through newuidmap and /etc/subuid.", "--map-users");
    final OptionSpec mapGroups = repeatable("INNER:OUTER:COUNT", "Map COUNT gids from OUTER outside to INNER inside. Repeatable; without privilege, through newgidmap and /etc/subgid.", "--map-groups");
    final OptionSpec mapAuto = flag("Map 0 to you and 1.. to your first ranges in /etc/subuid and /etc/subgid (as rootless podman does).", "--map-auto");
    final OptionSpec setgroups = option(SetGroups.class, "allow|deny", "Whether setgroups(2) works inside. Default: what the kernel requires for the mapping.", "--setgroups");
    final OptionSpec noUserAuto = flag("Never create a user namespace unasked; without privilege, other namespaces then fail.", "--no-user-auto");

    enum SetGroups { allow, deny }

    final OptionSpec rootfs = option("PATH", "Run in this root filesystem, switched to with pivot_root: a directory, or a .tar/.tar.gz archive unpacked once into isolate's cache. Implies -m and -p; mounts a fresh /proc, a small /dev and a read-only /sys in it.", "-R", "--rootfs");
    final OptionSpec readOnly = flag("Mount the root filesystem read-only (added mounts keep their own mode).", "--read-only");
    final OptionSpec overlay = flag("Keep the image unchanged: the root becomes an overlayfs whose changes live in memory and vanish on exit.", "--overlay");
    final OptionSpec overlayUpper = option("DIR", "Like --overlay, but keep the changes in DIR/upper (overlayfs's scratch space is DIR/work).", "--overlay-upper");
    final OptionSpec bind = repeatable("SRC:DST[:ro]", "Bind a host file or directory (with what is mounted below it) on DST inside the root filesystem; :ro makes it read-only. Repeatable.", "-b", "--bind");
    final OptionSpec roBind = repeatable("SRC:DST", "Same as --bind SRC:DST:ro. Repeatable.", "--ro-bind");
    final OptionSpec tmpfs = repeatable("DST[:size=N]", "Mount a fresh tmpfs (mode 1777) on DST inside the root filesystem; N in bytes with an optional k, m or g, or a percentage of memory. Repeatable.", "--tmpfs");
    final OptionSpec propagation = OptionSpec.builder("--propagation").type(Propagation.class)
            .converters(new PropagationValue()).paramLabel("private|slave|shared|unchanged")
            .description("How mounts flow between the host and the new mount namespace (default private: not at all).").build();
    final OptionSpec env = repeatable("NAME[=VALUE]", "Set a variable in COMMAND's environment; a bare NAME copies isolate's value. Repeatable.", "-e", "--env");
    final OptionSpec clearEnv = flag("Start COMMAND with an empty environment (plus -e).", "--clear-env");
    final OptionSpec workdir = option("DIR", "Working directory of COMMAND.", "-w", "--workdir");
    final OptionSpec setuid = option("UID|USER", "Run COMMAND as this user inside: a number, or a name in the passwd file COMMAND sees (the image's with -R). Without -G, the user's primary group; HOME becomes the user's home unless -e sets it.", "-S", "--setuid");
    final OptionSpec setgid = option("GID|GROUP", "Run COMMAND with this group inside: a number, or a name in the group file COMMAND sees.", "-G", "--setgid");
    final OptionSpec groupAdd = repeatable("GID|GROUP", "A supplementary group of COMMAND (otherwise, with -S or -G, it has none). Repeatable.", "--group-add");
    final OptionSpec capAdd = repeatable("CAP", "Give COMMAND this capability (CAP_ prefix optional, any case; ALL for every one). Repeatable; applied in order with --cap-drop.", "--cap-add");
    final OptionSpec capDrop = repeatable("CAP", "Take this capability from COMMAND (or ALL). Repeatable.", "--cap-drop");
    final OptionSpec securityOpts = repeatable("OPT", "seccomp=unconfined, seccomp=default or seccomp=FILE (a profile in docker's JSON format); no-new-privileges. Repeatable.", "--security-opt");
    final OptionSpec privileged = flag("With -R: keep every capability, no seccomp filter, nothing masked in /proc and /sys (as docker's --privileged). Root in such a container is root on the host.", "--privileged");
    final OptionSpec preserveFds = option(Integer.class, "N", "Pass descriptors 3 to 3+N-1 to COMMAND, and no others. Without it, a root filesystem container gets only 0, 1 and 2; without -R, COMMAND inherits what isolate's caller passed.", "--preserve-fds");
    final OptionSpec tty = flag("Give COMMAND a new pseudo-terminal (in the container's own /dev/pts with -R) as its stdin, stdout, stderr and controlling terminal; isolate relays it to its own.", "-t", "--tty");
    final OptionSpec interactive = flag("Accepted for docker's habit (-it): stdin is always passed. Note that -i is the IPC namespace here.", "--interactive");
    final OptionSpec init = flag("Run tini as PID 1 (found on PATH, tini-static first): it forwards signals to COMMAND, reaps orphans and exits with COMMAND's status.", "--init");
    final OptionSpec memory = option("BYTES", "Limit the container's memory (a number with an optional b, k, m or g; at least 6m). Past it the kernel's OOM killer ends the command: exit status 137.", "--memory");
    final OptionSpec memorySwap = option("BYTES", "Limit memory plus swap (needs --memory; -1: unlimited swap). Without it, the container may swap as much again as --memory, as with docker.", "--memory-swap");
    final OptionSpec pidsLimit = option(Long.class, "N", "The most processes and threads the container may have (0 or -1: unlimited).", "--pids-limit");
    final OptionSpec cpus = option("N.N", "How many CPUs' time the container may use (0.5: half of one), as a CFS quota per 100 ms.", "--cpus");
    final OptionSpec cpuShares = option(Long.class, "N", "The container's relative CPU share, 2 to 262144 (default 1024).", "--cpu-shares");
    final OptionSpec cpuWeight = option(Long.class, "N", "The container's relative CPU weight, 1 to 10000 (default 100); cgroup v2's scale of --cpu-shares.", "--cpu-weight");
    final OptionSpec cpusetCpus = option("LIST", "The CPUs the container may run on, as 0-2,4.", "--cpuset-cpus");
    final OptionSpec cgroupParent = option("PATH", "Make the container's cgroup below this one (from each hierarchy's root) instead of /isolate.", "--cgroup-parent");
    final OptionSpec cgroupManager = option("cgroupfs|disabled", "cgroupfs (the default): isolate makes the container a cgroup of its own (as root, or for a limit); disabled: none, and no limits.", "--cgroup-manager");
    final OptionSpec name = option("NAME", "Record the container under this name, for isolate ps, ns, stop, kill and rm (letters, digits, '_', '.', '-').", "--name");
    final OptionSpec detach = flag("Return once COMMAND runs, printing the container's name (a random one without --name); its output goes to isolate logs NAME. A second isolate stays to supervise it.", "-d", "--detach");
    /** Set on the isolate that run -d starts: it supervises the name its starter claimed. */
    final OptionSpec superviseDetached = OptionSpec.builder(Launcher.SUPERVISE_DETACHED_OPTION).arity("0")
            .type(boolean.class).hidden(true).build();
    final OptionSpec dryRun = flag("Check everything, make nothing, and print on stdout what the launch would do: the host's set-up, the clone, the parent's steps and every child step as a system call, in strace's notation.", "--dry-run");
    final OptionSpec json = flag("With --dry-run: print it as one JSON document.", "--json");
    final OptionSpec verbose = countedFlag("Print what isolate does on stderr. Repeat for stack traces.", "-v", "--verbose");
    final PositionalParamSpec command = operands("0", "0..*", "COMMAND", "The command and its arguments. A name without a slash is looked up in PATH, as execvp does.");

    /** Where the values are read back from once parsed. */
    private CommandSpec parsed;

    /** Adds every option and COMMAND to a launching command's model. */
    CommandModel addTo(CommandModel model) {
        model.add(net, network, subnet, ip, dns, mac, mtu, publish, pid, hostname, mount, ipc, cgroup, time, monotonic,
                boottime, user, mapRoot, mapUser, mapGroup, mapUsers, mapGroups, mapAuto, setgroups, noUserAuto,
                rootfs, readOnly, overlay, overlayUpper, bind, roBind, tmpfs, propagation, env, clearEnv, workdir,
                setuid, setgid, groupAdd, capAdd, capDrop, securityOpts, privileged, preserveFds, tty, interactive,
                memory, memorySwap, pidsLimit, cpus, cpuShares, cpuWeight, cpusetCpus, cgroupParent, cgroupManager,
                init, name, detach, superviseDetached, dryRun, json, verbose, command);
        return model;
    }

    /** Called once the model is made: values are read through the command line it belongs to. */
    void parsedBy(CommandSpec spec) {
        parsed = spec;
    }

    /** --json belongs to --dry-run. */
    boolean dryRun() {
        if (isSet(json) && !isSet(dryRun)) {
            throw Failure.input("--json: only with --dry-run");
        }
        return isSet(dryRun);
    }

    int verbosity() {
        return count(verbose);
    }

    List<String> command() {
        return values(command);
    }

    /** -S, -G and --group-add; a HOME given with -e, or no environment at all, is left alone. */
    private RunAs runAs() {
        boolean homeGiven = isSet(clearEnv)
                || values(env).stream().anyMatch(value -> value.equals("HOME") || value.startsWith("HOME="));
        Optional<String> user = value(setuid);
        return new RunAs(user, value(setgid), values(groupAdd), user.isPresent() && !homeGiven);
    }

    MappingRequest mappingRequest() {
        Optional<SetGroups> allowed = value(setgroups);
        return new MappingRequest(isSet(user), isSet(mapRoot), mapUser.getValue(), mapGroup.getValue(),
                values(mapUsers).stream().map(IdMapping::parse).toList(),
                values(mapGroups).stream().map(IdMapping::parse).toList(), isSet(mapAuto),
                allowed.map(value -> value == SetGroups.allow).orElse(null), isSet(noUserAuto));
    }

    ContainerSpec toSpec(HostFacts facts) {
        Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        Network network = network();
        if (network.mode().createsNamespace()) {
            namespaces.add(Namespace.NET);
        }
        Optional<String> root = value(rootfs);
        if (isSet(pid) || root.isPresent()) {
            namespaces.add(Namespace.PID);
            namespaces.add(Namespace.MOUNT);
        }
        // A container gets its own hostname, SysV IPC and cgroup root, as docker gives one.
        Optional<String> containerName = value(name);
        Optional<String> containerHostname = CommandModel.<String>value(hostname)
                .or(() -> root.isEmpty() ? Optional.empty() : Optional.of(containerName.orElse("isolate")));
        if (containerHostname.isPresent()) {
            namespaces.add(Namespace.UTS);
        }
        if (root.isPresent()) {
            namespaces.add(Namespace.IPC);
            namespaces.add(Namespace.CGROUP);
        }
        if (isSet(mount)) {
            namespaces.add(Namespace.MOUNT);
        }
        if (isSet(ipc)) {
            namespaces.add(Namespace.IPC);
        }
        if (isSet(cgroup)) {
            namespaces.add(Namespace.CGROUP);
        }
        Optional<Long> monotonicOffset = value(monotonic);
        Optional<Long> boottimeOffset = value(boottime);
        TimeOffsets offsets = new TimeOffsets(monotonicOffset.orElse(0L), boottimeOffset.orElse(0L));
        if (isSet(time) || monotonicOffset.isPresent() || boottimeOffset.isPresent()) {
            namespaces.add(Namespace.TIME);
        }
        if (command().isEmpty()) {
            throw Failure.input("no command given: see isolate --help");
        }
        if (isSet(tty) && isSet(detach)) {
            throw Failure.input("-t and -d: a detached container cannot have a terminal yet (there is no way to"
                    + " attach to it); drop -t, and read its output with isolate logs");
        }
        Optional<UserNamespace> userNamespace = mappingRequest().resolve(facts, !namespaces.isEmpty());
        if (userNamespace.isPresent()) {
            namespaces.add(Namespace.USER);
        }
        // Parsed with the rest of the command line, so that a bad name is one line.
        List<Containment.CapabilityChange> changes = inOrder(parsed.commandLine().getParseResult(), capAdd, capDrop)
                .stream().map(change -> Containment.CapabilityChange.parse(change.getKey().equals("--cap-add"),
                        change.getValue())).toList();
        Optional<Integer> passed = value(preserveFds);
        Containment containment = Containment.of(root.isPresent(), isSet(privileged), changes, values(securityOpts),
                passed.isEmpty() ? OptionalInt.empty() : OptionalInt.of(passed.get()));
        return new ContainerSpec(namespaces, network, userNamespace, containerHostname, offsets,
                CommandModel.<Propagation>value(propagation).orElse(Propagation.PRIVATE), rootFilesystem(),
                Environments.compose(facts.environment(), isSet(clearEnv), values(env)), value(workdir), runAs(),
                containment, resources(), Tunables.NONE, isSet(tty), isSet(init), command());
    }

    /** The limits, in docker's units; --cpu-shares on v2's weight scale, as the cgroup preparation wants it. */
    private Resources resources() {
        Optional<Long> pids = value(pidsLimit);
        if (pids.isPresent() && pids.get() < -1) {
            throw Failure.input("--pids-limit " + pids.get() + ": use a number of processes, or 0 or -1 for unlimited");
        }
        Resources.Manager manager = CommandModel.<String>value(cgroupManager).map(RunOptions::manager)
                .orElse(Resources.Manager.CGROUPFS);
        return new Resources(bytes(memory, false), bytes(memorySwap, true),
                pids.isPresent() && pids.get() > 0 ? OptionalLong.of(pids.get()) : OptionalLong.empty(),
                CommandModel.<String>value(cpus).map(RunOptions::cpus), optional(value(cpuShares)),
                optional(value(cpuWeight)), value(cpusetCpus),
                value(cgroupParent), Optional.empty(), List.of(), manager);
    }

    private OptionalLong bytes(OptionSpec option, boolean minusOneIsUnlimited) {
        Optional<String> text = value(option);
        if (text.isEmpty()) {
            return OptionalLong.empty();
        }
        return minusOneIsUnlimited && text.get().equals("-1") ? OptionalLong.of(Resources.UNLIMITED)
                : OptionalLong.of(Resources.parseBytes(option.longestName(), text.get()));
    }

    private static OptionalLong optional(Optional<Long> value) {
        return value.isPresent() ? OptionalLong.of(value.get()) : OptionalLong.empty();
    }

    private static double cpus(String text) {
        try {
            double value = Double.parseDouble(text);
            if (text.chars().allMatch(c -> c == '.' || Character.isDigit(c)) && Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw Failure.input("--cpus \"" + text + "\": use a number of CPUs, as 1.5");
    }

    private static Resources.Manager manager(String text) {
        return switch (text) {
            case "cgroupfs" -> Resources.Manager.CGROUPFS;
            case "disabled" -> Resources.Manager.DISABLED;
            case "systemd" -> throw Failure.input("--cgroup-manager systemd: isolate has no systemd driver (it would"
                    + " ask systemd over D-Bus for a scope); use cgroupfs");
            default -> throw Failure.input("--cgroup-manager \"" + text + "\": use cgroupfs or disabled");
        };
    }

    private Network network() {
        Optional<String> given = value(network);
        NetworkMode mode = given.isEmpty() ? isSet(net) ? new NetworkMode.Isolated() : new NetworkMode.Shared()
                : NetworkMode.parse(given.get());
        if (isSet(net) && !mode.createsNamespace()) {
            throw Failure.input("-n and --network " + given.get() + ": -n asks for a new network namespace");
        }
        Optional<Integer> bytes = value(mtu);
        return new Network(mode, CommandModel.<String>value(subnet).map(value -> Cidr.parse("--subnet", value)),
                CommandModel.<String>value(ip).map(value -> Ipv4.parse("--ip", value)),
                values(dns).stream().map(value -> Ipv4.parse("--dns", value)).toList(), value(mac),
                bytes.isEmpty() ? OptionalInt.empty() : OptionalInt.of(bytes.get()),
                values(publish).stream().map(PublishedPort::parse).toList());
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
        List<Map.Entry<String, String>> mountOptions = inOrder(parsed.commandLine().getParseResult(), bind, roBind,
                tmpfs);
        Optional<String> upper = value(overlayUpper);
        Optional<String> root = value(rootfs);
        if (root.isEmpty()) {
            String needsRoot = isSet(readOnly) ? "--read-only" : isSet(overlay) ? "--overlay" : upper.isPresent()
                    ? "--overlay-upper" : mountOptions.isEmpty() ? null : mountOptions.get(0).getKey();
            if (needsRoot != null) {
                throw Failure.input(needsRoot + ": needs a root filesystem (--rootfs)");
            }
            return Optional.empty();
        }
        List<Mount> mounts = mountOptions.stream().map(option -> mount(option.getKey(), option.getValue())).toList();
        Optional<RootFilesystem.Overlay> layers = isSet(overlay) || upper.isPresent()
                ? Optional.of(new RootFilesystem.Overlay(upper)) : Optional.empty();
        return Optional.of(new RootFilesystem(root.get(), isSet(readOnly), layers, mounts));
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
