package dev.isolate.bundle;

import dev.isolate.host.cgroup.ContainerCgroup;
import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Containment;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.Network;
import dev.isolate.spec.NetworkMode;
import dev.isolate.spec.Resources;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.spec.RunAs;
import dev.isolate.spec.Tunables;
import dev.isolate.spec.UserNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** A read config.json as the spec isolate launches. */
final class BundleSpec {
    private BundleSpec() {
    }

    /**
     * Devices every container may use, which runc allows after a bundle's own device rules
     * (its specconv's list): making any node, and the standard devices and terminals.
     */
    static final List<Resources.DeviceRule> DEFAULT_DEVICES = List.of(
            new Resources.DeviceRule(true, 'c', -1, -1, "m"), new Resources.DeviceRule(true, 'b', -1, -1, "m"),
            new Resources.DeviceRule(true, 'c', 1, 3, "rwm"), new Resources.DeviceRule(true, 'c', 1, 5, "rwm"),
            new Resources.DeviceRule(true, 'c', 1, 7, "rwm"), new Resources.DeviceRule(true, 'c', 1, 8, "rwm"),
            new Resources.DeviceRule(true, 'c', 1, 9, "rwm"), new Resources.DeviceRule(true, 'c', 5, 0, "rwm"),
            new Resources.DeviceRule(true, 'c', 5, 2, "rwm"), new Resources.DeviceRule(true, 'c', 136, -1, "rwm"));

    /** @param root the caller is root, who always gets a cgroup (see {@link #placed}) */
    static ContainerSpec of(BundleConfig config, String containerId, OptionalInt preserveFds, boolean root) {
        LinuxConfig linux = config.linux();
        ProcessConfig process = config.process();
        Set<Namespace> namespaces = linux.namespaces();
        // A new network namespace has lo alone (isolate brings it up, as runc does); none listed
        // is the host's network.
        NetworkMode mode = linux.networkPath().<NetworkMode>map(path -> new NetworkMode.Joined(path,
                "the network namespace " + path)).orElse(namespaces.contains(Namespace.NET)
                ? new NetworkMode.Isolated() : new NetworkMode.Shared());
        Network network = new Network(mode, Optional.empty(), Optional.empty(), List.of(), Optional.empty(),
                OptionalInt.empty(), List.of());
        Optional<UserNamespace> user = namespaces.contains(Namespace.USER)
                ? Optional.of(new UserNamespace(linux.uidMappings(), linux.gidMappings(), null, false))
                : Optional.empty();
        Optional<String> hostname = config.hostname();
        RootFilesystem rootfs = new RootFilesystem(config.root().toString(), config.rootReadOnly(), Optional.empty(),
                config.mounts(), Optional.of(new RootFilesystem.Bundle(linux.maskedPaths(), linux.readonlyPaths(),
                        linux.devices(), linux.sysctl())));
        ProcessConfig.User ids = process.user();
        RunAs runAs = new RunAs(Optional.of(Long.toString(ids.uid())), Optional.of(Long.toString(ids.gid())),
                ids.additionalGids().stream().map(String::valueOf).toList(), false);
        Containment containment = new Containment(process.capabilities(), Set.of(), linux.seccomp(),
                process.noNewPrivileges(), false, preserveFds, false);
        Tunables tunables = new Tunables(process.rlimits(), ids.umask(), process.oomScoreAdj(), config.domainname());
        return new ContainerSpec(namespaces, network, user, hostname, linux.timeOffsets(), linux.rootfsPropagation(),
                Optional.of(rootfs), process.env(), Optional.of(process.cwd()), runAs, containment,
                placed(linux.resources(), linux.devices(), containerId, root), tunables, process.terminal(), false,
                process.args());
    }

    /**
     * Where the container's cgroup goes and its device rules. For root, always a cgroup: at the
     * cgroupsPath, or named after the container in isolate's parent, with runc's default devices
     * and the bundle's device nodes allowed after the bundle's rules. For anyone else, as runc's
     * rootless mode does, a cgroup only for a limit, and no device rules (cgroup v1 gives an
     * unprivileged user no device controller; its nodes are the ones it could open anyway).
     */
    private static Resources placed(Resources resources, List<RootFilesystem.Device> nodes, String containerId,
            boolean root) {
        boolean limited = resources.memory().isPresent() || resources.pids().isPresent() || resources.cpus().isPresent()
                || resources.cpuShares().isPresent() || resources.cpuWeight().isPresent()
                || resources.cpusetCpus().isPresent();
        if (!root && !limited) {
            return Resources.NONE;
        }
        List<Resources.DeviceRule> devices = new ArrayList<>();
        if (root && !resources.devices().isEmpty()) {
            devices.addAll(resources.devices());
            devices.addAll(DEFAULT_DEVICES);
            for (RootFilesystem.Device node : nodes) {
                if (node.type() != 'p') {
                    devices.add(new Resources.DeviceRule(true, node.type(), node.major(), node.minor(), "rwm"));
                }
            }
        }
        Optional<String> parent = resources.name().isPresent() ? resources.parent()
                : Optional.of(ContainerCgroup.DEFAULT_PARENT);
        return new Resources(resources.memory(), resources.memorySwap(), resources.pids(), resources.cpus(),
                resources.cpuShares(), resources.cpuWeight(), resources.cpusetCpus(), parent,
                Optional.of(resources.name().orElse(containerId)), devices, resources.manager());
    }
}
