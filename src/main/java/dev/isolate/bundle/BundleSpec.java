package dev.isolate.bundle;

import dev.isolate.exit.Failure;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** A read config.json as the spec isolate launches. */
final class BundleSpec {
    /** A new UTS namespace starts with the host's name, which runc leaves when config.json gives none. */
    private static final Path HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private BundleSpec() {
    }

    static ContainerSpec of(BundleConfig config, String containerId, OptionalInt preserveFds) {
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
        Optional<String> hostname = namespaces.contains(Namespace.UTS)
                ? Optional.of(config.hostname().orElseGet(BundleSpec::hostsName)) : Optional.empty();
        RootFilesystem root = new RootFilesystem(config.root().toString(), config.rootReadOnly(), Optional.empty(),
                config.mounts(), Optional.of(new RootFilesystem.Bundle(linux.maskedPaths(), linux.readonlyPaths(),
                        linux.devices(), linux.sysctl())));
        ProcessConfig.User ids = process.user();
        RunAs runAs = new RunAs(Optional.of(Long.toString(ids.uid())), Optional.of(Long.toString(ids.gid())),
                ids.additionalGids().stream().map(String::valueOf).toList(), false);
        Containment containment = new Containment(process.capabilities(), Set.of(), linux.seccomp(),
                process.noNewPrivileges(), false, preserveFds, false);
        Tunables tunables = new Tunables(process.rlimits(), ids.umask(), process.oomScoreAdj(), config.domainname());
        return new ContainerSpec(namespaces, network, user, hostname, linux.timeOffsets(), linux.rootfsPropagation(),
                Optional.of(root), process.env(), Optional.of(process.cwd()), runAs, containment,
                named(linux.resources(), containerId), tunables, process.terminal(), false, process.args());
    }

    /** Without a cgroupsPath, the container's cgroup is named after it, in isolate's parent. */
    private static Resources named(Resources resources, String containerId) {
        if (resources.name().isPresent()) {
            return resources;
        }
        return new Resources(resources.memory(), resources.memorySwap(), resources.pids(), resources.cpus(),
                resources.cpuShares(), resources.cpuWeight(), resources.cpusetCpus(), resources.parent(),
                Optional.of(containerId), resources.devices(), resources.manager());
    }

    private static String hostsName() {
        try {
            return new String(Files.readAllBytes(HOSTNAME), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw Failure.input(BundleConfig.FILE + ": hostname: absent, and the host's cannot be read from " + HOSTNAME
                    + ": " + Failure.reason(e));
        }
    }
}
