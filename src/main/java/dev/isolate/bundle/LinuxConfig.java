package dev.isolate.bundle;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.host.seccomp.Profile;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Namespace;
import dev.isolate.spec.Propagation;
import dev.isolate.spec.Resources;
import dev.isolate.spec.RootFilesystem.Device;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.spec.TimeOffsets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * config.json's linux object.
 *
 * @param namespaces  the namespaces made for the container; a network namespace joined by
 *                    path is not among them
 * @param networkPath the network namespace to join
 * @param resources   the limits, with the cgroup's parent and name when cgroupsPath gives them
 * @param sysctl      namespaced sysctls only, checked against the namespaces
 */
public record LinuxConfig(Set<Namespace> namespaces, Optional<String> networkPath, List<IdMapping> uidMappings,
        List<IdMapping> gidMappings, TimeOffsets timeOffsets, Resources resources, SeccompProfile seccomp,
        List<String> maskedPaths, List<String> readonlyPaths, List<Device> devices, Map<String, String> sysctl,
        Propagation rootfsPropagation) {
    private static final Set<String> FIELDS = Set.of("namespaces", "uidMappings", "gidMappings", "timeOffsets",
            "devices", "cgroupsPath", "resources", "intelRdt", "sysctl", "seccomp", "rootfsPropagation",
            "maskedPaths", "readonlyPaths", "mountLabel", "personality");
    /** The sysctls of an IPC namespace (besides fs.mqueue.*), as runc's validator lists them. */
    private static final Set<String> IPC_SYSCTLS = Set.of("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
            "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced");

    public LinuxConfig {
        namespaces = Collections.unmodifiableSet(namespaces.isEmpty() ? EnumSet.noneOf(Namespace.class)
                : EnumSet.copyOf(namespaces));
        uidMappings = List.copyOf(uidMappings);
        gidMappings = List.copyOf(gidMappings);
        maskedPaths = List.copyOf(maskedPaths);
        readonlyPaths = List.copyOf(readonlyPaths);
        devices = List.copyOf(devices);
        sysctl = Collections.unmodifiableMap(new LinkedHashMap<>(sysctl));
    }

    static LinuxConfig read(Node linux) {
        if (linux.absent()) {
            throw linux.fail("missing: isolate runs a bundle in new mount and pid namespaces, which linux.namespaces"
                    + " lists");
        }
        linux.fields(FIELDS);
        linux.refuse("intelRdt", "isolate does not support it");
        linux.refuse("mountLabel", "isolate applies no SELinux labels");
        linux.refuse("personality", "isolate does not support it");
        Set<Namespace> namespaces = EnumSet.noneOf(Namespace.class);
        Optional<String> networkPath = Optional.empty();
        Set<String> seen = new HashSet<>();
        for (Node entry : linux.field("namespaces").list()) {
            entry.fields(Set.of("type", "path"));
            Node typeNode = entry.field("type");
            String type = typeNode.require().string();
            Namespace namespace = Supported.NAMESPACES.get(type);
            if (namespace == null) {
                throw typeNode.fail("\"" + type + "\": expected one of " + String.join(", ",
                        Supported.NAMESPACES.keySet()));
            }
            if (!seen.add(type)) {
                throw typeNode.fail("\"" + type + "\" is listed twice");
            }
            Optional<String> path = entry.field("path").optionalString().filter(p -> !p.isEmpty());
            if (path.isEmpty()) {
                namespaces.add(namespace);
            } else if (namespace == Namespace.NET) {
                networkPath = path;
            } else {
                throw entry.field("path").fail("a " + type + " namespace: isolate joins only a network namespace by"
                        + " path");
            }
        }
        if (!namespaces.containsAll(EnumSet.of(Namespace.MOUNT, Namespace.PID))) {
            throw linux.field("namespaces").fail("isolate runs a bundle in new mount and pid namespaces: list both,"
                    + " without a path");
        }
        boolean user = namespaces.contains(Namespace.USER);
        List<IdMapping> uids = mappings(linux.field("uidMappings"), user);
        List<IdMapping> gids = mappings(linux.field("gidMappings"), user);
        return new LinuxConfig(namespaces, networkPath, uids, gids,
                timeOffsets(linux.field("timeOffsets"), namespaces.contains(Namespace.TIME)),
                ResourceLimits.read(linux.field("resources"), linux.field("cgroupsPath")),
                seccomp(linux.field("seccomp")), linux.field("maskedPaths").strings(),
                linux.field("readonlyPaths").strings(), devices(linux.field("devices")),
                sysctl(linux.field("sysctl"), namespaces, networkPath.isPresent()),
                propagation(linux.field("rootfsPropagation")));
    }

    private static List<IdMapping> mappings(Node list, boolean userNamespace) {
        if (list.absent() || list.list().isEmpty()) {
            if (userNamespace) {
                throw list.fail("missing: a new user namespace needs its id mappings");
            }
            return List.of();
        }
        if (!userNamespace) {
            throw list.fail("only with a new user namespace (\"user\" in linux.namespaces)");
        }
        List<IdMapping> mappings = new ArrayList<>();
        long max = IdMapping.ID_LIMIT;
        for (Node entry : list.list()) {
            entry.fields(Set.of("containerID", "hostID", "size"));
            mappings.add(new IdMapping(entry.field("containerID").require().number(0, max),
                    entry.field("hostID").require().number(0, max), entry.field("size").require().number(1, max)));
        }
        return mappings;
    }

    /** Whole seconds only: isolate writes no nanoseconds to timens_offsets. */
    private static TimeOffsets timeOffsets(Node offsets, boolean timeNamespace) {
        if (offsets.absent()) {
            return TimeOffsets.NONE;
        }
        if (!timeNamespace) {
            throw offsets.fail("only with a new time namespace (\"time\" in linux.namespaces)");
        }
        offsets.fields(Set.of("monotonic", "boottime"));
        long[] seconds = new long[2];
        List<String> clocks = List.of("monotonic", "boottime");
        for (int i = 0; i < 2; i++) {
            Node clock = offsets.field(clocks.get(i));
            if (!clock.absent()) {
                clock.fields(Set.of("secs", "nanosecs"));
                clock.refuse("nanosecs", "isolate sets whole seconds only");
                seconds[i] = clock.field("secs").optionalNumber(Long.MIN_VALUE, Long.MAX_VALUE).orElse(0);
            }
        }
        return new TimeOffsets(seconds[0], seconds[1]);
    }

    /**
     * The spec's format is a subset of the one isolate compiles: checked here so that an error
     * names the field, and passed on as the same JSON.
     */
    private static SeccompProfile seccomp(Node seccomp) {
        if (seccomp.absent()) {
            return new SeccompProfile.Unconfined();
        }
        seccomp.fields(Set.of("defaultAction", "defaultErrnoRet", "architectures", "flags", "listenerPath",
                "listenerMetadata", "syscalls"));
        Node architectures = seccomp.field("architectures");
        for (Node architecture : architectures.list()) {
            if (!Supported.SECCOMP_ARCHES.contains(architecture.string())) {
                throw architecture.fail("\"" + architecture.string() + "\": isolate's filters are for "
                        + String.join(", ", Supported.SECCOMP_ARCHES));
            }
        }
        byte[] json;
        try {
            json = JSON.std.asBytes(seccomp.value());
        } catch (IOException e) {
            // A tree jackson-jr itself read always writes back.
            throw new UncheckedIOException(e);
        }
        Profile.parse(json, BundleConfig.FILE + ": " + seccomp.path());
        return new SeccompProfile.Json(json, BundleConfig.FILE);
    }

    private static List<Device> devices(Node list) {
        List<Device> devices = new ArrayList<>();
        for (Node entry : list.list()) {
            entry.fields(Set.of("type", "path", "major", "minor", "fileMode", "uid", "gid"));
            String path = entry.field("path").require().string();
            String type = entry.field("type").require().string();
            // u is an unbuffered character device, which Linux makes as any other.
            char kind = type.equals("u") ? 'c' : type.length() == 1 ? type.charAt(0) : '?';
            if ("cbp".indexOf(kind) < 0) {
                throw entry.field("type").fail("\"" + type + "\": expected c, b, u or p");
            }
            boolean numbered = kind != 'p';
            long major = numbered ? entry.field("major").require().number(0, 0xfff) : 0;
            long minor = numbered ? entry.field("minor").require().number(0, 0xfffff) : 0;
            long maxId = IdMapping.ID_LIMIT - 1;
            devices.add(new Device(path, kind, major, minor, entry.field("fileMode").optionalInt(0, 07777).orElse(0666),
                    entry.field("uid").optionalNumber(0, maxId).orElse(0),
                    entry.field("gid").optionalNumber(0, maxId).orElse(0)));
        }
        return devices;
    }

    /** Only what the container's own namespaces hold: anything else would change the host. */
    private static Map<String, String> sysctl(Node sysctl, Set<Namespace> namespaces, boolean joinedNetwork) {
        Map<String, String> values = new LinkedHashMap<>();
        if (sysctl.absent()) {
            return values;
        }
        for (Map.Entry<String, Node> entry : sysctl.entries().entrySet()) {
            String name = entry.getKey().replace('/', '.');
            if (name.equals("kernel.hostname")) {
                throw entry.getValue().fail("set \"hostname\" instead");
            }
            Namespace holder = holder(name).orElseThrow(() -> entry.getValue().fail("not a namespaced sysctl: it"
                    + " would change the host"));
            if (!namespaces.contains(holder) && !(holder == Namespace.NET && joinedNetwork)) {
                throw entry.getValue().fail("needs a new " + holder.procName() + " namespace in linux.namespaces");
            }
            values.put(entry.getKey(), entry.getValue().string());
        }
        return values;
    }

    /** The namespace a sysctl belongs to, as runc's validator decides it. */
    private static Optional<Namespace> holder(String name) {
        if (name.startsWith("net.")) {
            return Optional.of(Namespace.NET);
        }
        if (IPC_SYSCTLS.contains(name) || name.startsWith("fs.mqueue.")) {
            return Optional.of(Namespace.IPC);
        }
        return name.equals("kernel.domainname") ? Optional.of(Namespace.UTS) : Optional.empty();
    }

    private static Propagation propagation(Node node) {
        Optional<String> given = node.optionalString().filter(value -> !value.isEmpty());
        if (given.isEmpty()) {
            return Propagation.PRIVATE;
        }
        Propagation propagation = Supported.ROOTFS_PROPAGATION.get(given.get());
        if (propagation == null) {
            throw node.fail("\"" + given.get() + "\": expected one of " + String.join(", ",
                    Supported.ROOTFS_PROPAGATION.keySet().stream().sorted().toList()));
        }
        return propagation;
    }
}
