package dev.isolate.host.cgroup;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.linux.Linux;
import dev.isolate.spec.Resources;
import dev.isolate.state.ProcessIdentity;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.SmallFiles;
import dev.isolate.sys.Syscall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The container's own cgroup: a directory in each hierarchy that holds a controller it needs,
 * made with its limits before the child is released, the child moved in while it waits, so
 * that nothing of the user's runs outside it, and on close everything still in it killed and
 * the directories removed. Decided first ({@link #decide}), before the host is touched.
 */
public final class ContainerCgroup implements AutoCloseable {
    /** Where containers' cgroups are made below each hierarchy's root (or a delegated subtree), as docker's /docker. */
    public static final String DEFAULT_PARENT = "isolate";
    /** A leaf is named after the isolate that owns it, so that gc knows an orphan: isolate-PID-STARTTIME. */
    static final String LEAF_PREFIX = "isolate-";
    private static final long KILL_TIMEOUT_NANOS = 5_000_000_000L;

    /**
     * One directory of the container's cgroup.
     *
     * @param hierarchy the hierarchy it is in
     * @param base      the directory isolate may make cgroups below: the hierarchy's root, or a subtree delegated to the caller
     * @param parents   the names from base to the leaf's parent
     * @param leaf      the container's directory
     * @param files     limits, file name to value, written in this order before the child moves in
     * @param devices   the device controller's rules, each written to devices.allow or devices.deny in
     *                  this order, after the files (cgroup v1's devices hierarchy only)
     */
    public record Leaf(Hierarchies.Hierarchy hierarchy, Path base, List<String> parents, Path leaf,
            Map<String, String> files, List<Resources.DeviceRule> devices) {
        public Leaf {
            parents = List.copyOf(parents);
            files = Collections.unmodifiableMap(new LinkedHashMap<>(files));
            devices = List.copyOf(devices);
        }

        /** A leaf found rather than made, whose limits are not known. */
        static Leaf found(Hierarchies.Hierarchy hierarchy, Path base, List<String> parents, Path leaf) {
            return new Leaf(hierarchy, base, parents, leaf, Map.of(), List.of());
        }

    }

    /**
     * What a launch makes: nothing, or one leaf per hierarchy.
     *
     * @param enabled on cgroup v2, the controllers each directory above a leaf enables for its children
     */
    public record Decision(List<Leaf> leaves, List<String> enabled, boolean asked) {
        public Decision {
            leaves = List.copyOf(leaves);
            enabled = List.copyOf(enabled);
        }

        public static final Decision NONE = new Decision(List.of(), List.of(), false);

        public boolean makes() {
            return !leaves.isEmpty();
        }

        /** The directories the launch makes, one per hierarchy. */
        public List<Path> directories() {
            return leaves.stream().map(Leaf::leaf).toList();
        }

        /** What the launch does, for --dry-run and -v. */
        public List<String> describe() {
            List<String> lines = new ArrayList<>();
            for (Leaf leaf : leaves) {
                StringBuilder line = new StringBuilder("mkdir " + leaf.leaf());
                leaf.files().forEach((file, value) -> line.append(", ").append(file).append(" = ").append(value));
                leaf.devices().forEach(rule -> line.append(", ").append(rule.allow() ? "devices.allow" : "devices.deny")
                        .append(" = ").append(rule.line()));
                lines.add(line.toString());
            }
            return lines;
        }
    }

    private final Decision decision;
    /** The leaves made so far. */
    private final List<Path> made = new ArrayList<>();
    /** Parents this launch made, deepest first: removed with the leaves if no other container uses them. */
    private final List<Path> madeParents = new ArrayList<>();
    private final Consumer<Supplier<String>> diagnostics;

    private ContainerCgroup(Decision decision, Consumer<Supplier<String>> diagnostics) {
        this.decision = decision;
        this.diagnostics = diagnostics;
    }

    /** The leaf directory's name for the isolate process that owns it. */
    public static String leafName(ProcessIdentity owner) {
        return LEAF_PREFIX + owner.pid() + "-" + owner.startTime();
    }

    /**
     * The owner a leaf's name gives, if it is one of isolate's: exactly as {@link #leafName}
     * writes it, so that no "isolate-+1-02" of someone else's passes for one.
     */
    static Optional<ProcessIdentity> owner(String leafName) {
        if (!leafName.startsWith(LEAF_PREFIX)) {
            return Optional.empty();
        }
        String[] parts = leafName.substring(LEAF_PREFIX.length()).split("-");
        try {
            return parts.length == 2 ? Optional.of(new ProcessIdentity(Long.parseLong(parts[0]),
                    Long.parseLong(parts[1]))).filter(owner -> leafName(owner).equals(leafName)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * Which cgroup the launch makes, and whether the host can enforce what is asked: without
     * a limit, a cgroup is made for root only (as docker and runc do), and only where root may
     * write; with one, anything the host cannot enforce is refused with what to do about it.
     *
     * @param readHierarchies read only when a cgroup may be made: a launch without one reads no cgroup file
     * @param leafName see {@link #leafName}
     * @throws Failure when a limit cannot be enforced
     */
    public static Decision decide(Resources resources, Caller caller, Supplier<Hierarchies> readHierarchies,
            String leafName) {
        if (resources.manager() == Resources.Manager.DISABLED) {
            return Decision.NONE;
        }
        boolean asked = resources.limits();
        if (!asked && !caller.isRoot()) {
            return Decision.NONE;
        }
        Hierarchies hierarchies = readHierarchies.get();
        Map<String, String> required = required(resources);
        if (!resources.devices().isEmpty() && !hierarchies.v1()) {
            throw Failure.input("linux.resources.devices: cgroup v2 filters devices with an eBPF program, which"
                    + " isolate does not make; only cgroup v1's devices controller is supported");
        }
        for (Map.Entry<String, String> need : required.entrySet()) {
            if (hierarchies.holding(need.getKey()).isEmpty()) {
                throw Failure.input(need.getValue() + ": no cgroup hierarchy on this machine holds the " + need.getKey()
                        + " controller (it is not mounted, or not enabled in the kernel)");
            }
        }
        List<String> used = new ArrayList<>(required.keySet());
        for (String wanted : List.of("memory", "pids", "cpuacct", "freezer")) {
            if (!used.contains(wanted) && hierarchies.holding(wanted).isPresent()) {
                used.add(wanted);
            }
        }
        if (!hierarchies.v1() && !required.containsKey("cpu") && hierarchies.holding("cpu").isPresent()) {
            used.add("cpu"); // v2's cpu.stat shows the time; the controller adds throttling counts
        }
        String option = required.values().stream().findFirst().orElse("--cgroup-parent");
        List<Hierarchies.Hierarchy> involved = new ArrayList<>();
        for (String controller : used) {
            Hierarchies.Hierarchy h = hierarchies.holding(controller).orElse(null);
            if (h != null && involved.stream().noneMatch(known -> known.mountPoint().equals(h.mountPoint()))) {
                involved.add(h);
            }
        }
        if (involved.isEmpty()) {
            if (asked) {
                throw Failure.input(option + ": no cgroup hierarchy is mounted on this machine");
            }
            return Decision.NONE;
        }
        // A cgroup named by the caller (an OCI bundle's cgroupsPath) is where it says, under the root if need be.
        String parentPath = resources.parentPath().orElse(resources.name().isPresent() ? "" : DEFAULT_PARENT);
        List<String> parents = parentPath.isEmpty() ? List.of() : List.of(parentPath.split("/"));
        List<Leaf> leaves = new ArrayList<>();
        for (Hierarchies.Hierarchy h : involved) {
            Path base = caller.isRoot() ? h.mountPoint() : delegated(h, caller, option);
            if (!asked && !writable(base)) {
                return Decision.NONE; // root without the cgroup tree's write access, as in a container of its own
            }
            if (!caller.isRoot()) {
                List<String> missing = used.stream().filter(required::containsKey)
                        .filter(c -> h.controllers().contains(c) && !Hierarchies.words(read(base.resolve(
                                "cgroup.controllers")).orElse("")).contains(c)).toList();
                if (!missing.isEmpty()) {
                    throw Failure.input(required.get(missing.get(0)) + ": the " + missing.get(0) + " controller is"
                            + " not delegated to uid " + caller.uid() + ": a drop-in for user@.service with"
                            + " Delegate=memory pids cpu cpuset gives it");
                }
            }
            Path leafDir = base;
            for (String name : parents) {
                leafDir = leafDir.resolve(name);
            }
            leaves.add(new Leaf(h, base, parents, leafDir.resolve(resources.name().orElse(leafName)),
                    files(resources, h, base), h.controllers().contains("devices") ? resources.devices() : List.of()));
        }
        List<String> enabled = hierarchies.v1() ? List.of() : used;
        return new Decision(leaves, enabled, asked);
    }

    /** The controllers the limits need, each with the option that needs it, for errors. */
    private static Map<String, String> required(Resources resources) {
        Map<String, String> required = new LinkedHashMap<>();
        if (resources.memory().isPresent()) {
            required.put("memory", resources.memorySwap().isPresent() ? "--memory-swap" : "--memory");
        }
        if (resources.pids().isPresent()) {
            required.put("pids", "--pids-limit");
        }
        if (resources.cpus().isPresent() || resources.weight().isPresent()) {
            required.put("cpu", resources.cpus().isPresent() ? "--cpus"
                    : resources.cpuShares().isPresent() ? "--cpu-shares" : "--cpu-weight");
        }
        if (resources.cpusetCpus().isPresent()) {
            required.put("cpuset", "--cpuset-cpus");
        }
        if (!resources.devices().isEmpty()) {
            required.put("devices", "linux.resources.devices");
        }
        return required;
    }

    /**
     * The limit files of one hierarchy and their values, in docker's meaning of each option:
     * --memory alone lets the container swap as much again, when the kernel accounts swap.
     */
    private static Map<String, String> files(Resources r, Hierarchies.Hierarchy h, Path base) {
        Map<String, String> files = new LinkedHashMap<>();
        boolean v2 = h.unified();
        if (h.controllers().contains("memory") && r.memory().isPresent()) {
            long memory = r.memory().getAsLong();
            OptionalLong swap = r.memorySwap();
            boolean swapAccounted = v2 ? true : Files.exists(base.resolve("memory.memsw.limit_in_bytes"));
            if (swap.isPresent() && !swapAccounted) {
                throw Failure.input("--memory-swap: the kernel does not account swap (boot it with swapaccount=1)");
            }
            files.put(v2 ? "memory.max" : "memory.limit_in_bytes", Long.toString(memory));
            long total = swap.isPresent() ? swap.getAsLong() : 2 * memory;
            if (swapAccounted) {
                if (v2) {
                    files.put("memory.swap.max", total == Resources.UNLIMITED ? "max" : Long.toString(total - memory));
                } else {
                    files.put("memory.memsw.limit_in_bytes", Long.toString(total));
                }
            }
        }
        if (h.controllers().contains("pids") && r.pids().isPresent()) {
            files.put("pids.max", Long.toString(r.pids().getAsLong()));
        }
        if (h.controllers().contains("cpu")) {
            OptionalLong quota = r.cpuQuotaMicros();
            if (quota.isPresent()) {
                if (v2) {
                    files.put("cpu.max", quota.getAsLong() + " " + Resources.CPU_PERIOD_MICROS);
                } else {
                    files.put("cpu.cfs_period_us", Long.toString(Resources.CPU_PERIOD_MICROS));
                    files.put("cpu.cfs_quota_us", Long.toString(quota.getAsLong()));
                }
            }
            (v2 ? r.weight() : r.shares()).ifPresent(value -> files.put(v2 ? "cpu.weight" : "cpu.shares",
                    Long.toString(value)));
        }
        if (h.controllers().contains("cpuset") && r.cpusetCpus().isPresent()) {
            String list = r.cpusetCpus().get();
            String available = read(base.resolve("cpuset.effective_cpus")).or(() -> read(base.resolve("cpuset.cpus")))
                    .or(() -> read(Path.of("/sys/devices/system/cpu/online"))).orElse("").strip();
            BitSet asked = Resources.cpuNumbers(list);
            BitSet outside = (BitSet) asked.clone();
            outside.andNot(Resources.cpuNumbers(available));
            if (!outside.isEmpty()) {
                throw Failure.input("--cpuset-cpus " + list + ": the container may use only CPUs " + available);
            }
            files.put("cpuset.cpus", list);
        }
        r.cpus().ifPresent(n -> {
            int online = Resources.cpuNumbers(read(Path.of("/sys/devices/system/cpu/online")).orElse("0")).cardinality();
            if (n > online) {
                throw Failure.input("--cpus " + n + ": this machine has " + online + " CPUs");
            }
        });
        return files;
    }

    /**
     * The cgroup v2 subtree systemd delegates to the caller (its user@UID.service), checked to
     * be the caller's own, as podman finds it: the nearest such ancestor of the caller's cgroup.
     */
    private static Path delegated(Hierarchies.Hierarchy h, Caller caller, String option) {
        if (!h.unified()) {
            throw Failure.input(option + ": cgroup v1 gives no unprivileged user a cgroup of their own: run isolate"
                    + " as root, or on cgroup v2 (boot with systemd.unified_cgroup_hierarchy=1) with a subtree"
                    + " delegated to you");
        }
        return delegation(h, caller).orElseThrow(() -> Failure.input(option + ": no cgroup v2 subtree is delegated"
                + " to uid " + caller.uid() + " (" + userService(caller) + " in " + h.mountPoint()
                + " owned by it): \"loginctl enable-linger " + caller.name() + "\" starts it, with systemd's default"
                + " Delegate=yes"));
    }

    /** The subtree of a v2 hierarchy delegated to the caller, if there is one (see {@link #delegated}). */
    static Optional<Path> delegation(Hierarchies.Hierarchy h, Caller caller) {
        String service = userService(caller);
        String own = h.own();
        int at = own.indexOf("/" + service);
        if (!h.unified() || at < 0) {
            return Optional.empty();
        }
        return Optional.of(h.directory(own.substring(0, at + 1 + service.length())))
                .filter(dir -> ownedBy(dir, caller.uid()));
    }

    /** The systemd unit whose cgroup systemd delegates to a user. */
    private static String userService(Caller caller) {
        return "user@" + caller.uid() + ".service";
    }

    static boolean ownedBy(Path dir, long uid) {
        try {
            return ((Number) Files.getAttribute(dir, "unix:uid")).longValue() == uid
                    && ((Number) Files.getAttribute(dir.resolve("cgroup.procs"), "unix:uid")).longValue() == uid;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean writable(Path dir) {
        return Files.isWritable(dir) && Files.isWritable(dir.resolve("cgroup.procs"));
    }

    static Optional<String> read(Path file) {
        try {
            return Optional.of(SmallFiles.text(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Makes the directories and writes the limits; on a failure, removes what it made.
     *
     * @throws Failure when the kernel refuses a directory or a limit
     */
    public static ContainerCgroup prepare(Decision decision, Consumer<Supplier<String>> diagnostics) {
        ContainerCgroup cgroup = new ContainerCgroup(decision, diagnostics);
        try {
            for (Leaf leaf : decision.leaves()) {
                cgroup.make(leaf);
            }
            diagnostics.accept(() -> "cgroup: " + String.join("; ", decision.describe()));
            // Root's launch from isolate's command line began it at main; any other launch that makes one begins it here.
            if (decision.makes()) {
                GracePeriod.begin();
            } else {
                GracePeriod.end();
            }
            return cgroup;
        } catch (RuntimeException e) {
            cgroup.close();
            throw e;
        }
    }

    /**
     * The parents, made where missing, then the leaf. Another container's isolate may remove
     * the default parent when its own leaf goes, between our two mkdirs: then it is made again.
     */
    private void make(Leaf leaf) {
        for (int attempt = 0; ; attempt++) {
            Path dir = leaf.base();
            enable(leaf, dir);
            for (String name : leaf.parents()) {
                dir = dir.resolve(name);
                if (mkdir(dir)) {
                    madeParents.add(0, dir);
                }
                // Also when another launch made it: it may not have given it its CPUs yet.
                inherit(leaf, dir);
                enable(leaf, dir);
            }
            try {
                Files.createDirectory(leaf.leaf());
                made.add(leaf.leaf());
                break;
            } catch (NoSuchFileException e) {
                if (attempt == 3) {
                    throw failure("mkdir " + leaf.leaf(), e);
                }
            } catch (IOException e) {
                throw failure("mkdir " + leaf.leaf(), e);
            }
        }
        inherit(leaf, leaf.leaf());
        leaf.files().forEach((file, value) -> write(leaf.leaf().resolve(file), value));
        // One rule per write: the kernel parses one.
        leaf.devices().forEach(rule -> write(leaf.leaf().resolve(rule.allow() ? "devices.allow" : "devices.deny"),
                rule.line()));
    }

    /** @return whether it made the directory */
    private static boolean mkdir(Path dir) {
        try {
            Files.createDirectory(dir);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            throw failure("mkdir " + dir, e);
        }
    }

    /** cgroup v2: a directory's children get only the controllers it enables. */
    private void enable(Leaf leaf, Path dir) {
        if (!leaf.hierarchy().unified()) {
            return;
        }
        List<String> available = Hierarchies.words(read(dir.resolve("cgroup.controllers")).orElse(""));
        List<String> enabled = Hierarchies.words(read(dir.resolve("cgroup.subtree_control")).orElse(""));
        StringBuilder change = new StringBuilder();
        for (String controller : decision.enabled()) {
            if (available.contains(controller) && !enabled.contains(controller)) {
                change.append(change.length() == 0 ? "" : " ").append('+').append(controller);
            }
        }
        if (change.length() > 0) {
            write(dir.resolve("cgroup.subtree_control"), change.toString());
        }
    }

    /** cgroup v1's cpuset starts a new directory with no CPUs and no memory nodes: copy its parent's. */
    private void inherit(Leaf leaf, Path dir) {
        if (leaf.hierarchy().unified() || !leaf.hierarchy().controllers().contains("cpuset")) {
            return;
        }
        for (String file : List.of("cpuset.cpus", "cpuset.mems")) {
            if (read(dir.resolve(file)).orElse("").isBlank()) {
                write(dir.resolve(file), read(dir.getParent().resolve(file)).orElse("").strip());
            }
        }
    }

    /** Writes a cgroup file through its own system calls: a FileChannel's first use loads libnet and probes IPv6. */
    static void write(Path file, String value) {
        long result = Kernel.get().writeExisting(file.toString(), value.getBytes(StandardCharsets.ISO_8859_1));
        if (result < 0) {
            int errno = (int) -result;
            String why = errno == Linux.ENOENT ? "no such file or directory"
                    : errno == Linux.EACCES ? "permission denied" : Kernel.get().errorText(errno);
            throw Failure.step("cgroup: write " + value + " to " + file + ": " + why);
        }
    }

    private static Failure failure(String what, IOException e) {
        String why = e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "permission denied" : Failure.reason(e);
        return Failure.step("cgroup: " + what + ": " + why);
    }

    /**
     * Leaves the cgroup in place for a container that outlives this isolate (an OCI
     * runtime's create): closing this no longer kills or removes anything, and the
     * container's delete removes it ({@link KeptCgroup}).
     *
     * @return the directories
     */
    public List<Path> keep() {
        made.clear();
        madeParents.clear();
        return decision.directories();
    }

    /** Moves the waiting child into every directory, before it is released. */
    public void attach(int pid) {
        try {
            for (Leaf leaf : decision.leaves()) {
                write(leaf.leaf().resolve("cgroup.procs"), Integer.toString(pid));
            }
        } finally {
            GracePeriod.end();
        }
    }

    /** Whether the kernel's OOM killer killed a process of the container at its memory limit. */
    public boolean outOfMemory() {
        for (Leaf leaf : decision.leaves()) {
            if (leaf.hierarchy().controllers().contains("memory")) {
                String file = leaf.hierarchy().unified() ? "memory.events" : "memory.oom_control";
                return counter(read(leaf.leaf().resolve(file)).orElse(""), "oom_kill") > 0;
            }
        }
        return false;
    }

    /** A "name value" line's value of a flat-keyed cgroup file, or 0. */
    static long counter(String content, String key) {
        for (String line : content.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 2 && words[0].equals(key)) {
                return Long.parseLong(words[1]);
            }
        }
        return 0;
    }

    /**
     * Kills whatever still runs in the container's cgroup, then removes its directories and
     * the default parent once no other container uses it.
     */
    @Override
    public void close() {
        GracePeriod.end();
        List<Failure> failures = new ArrayList<>();
        if (!made.isEmpty()) {
            killAll(decision.leaves().stream().filter(leaf -> made.contains(leaf.leaf())).toList());
        }
        for (Leaf leaf : decision.leaves()) {
            if (made.remove(leaf.leaf())) {
                try {
                    removeWhenEmpty(leaf.leaf());
                } catch (Failure f) {
                    failures.add(f);
                }
                if (leaf.parents().equals(List.of(DEFAULT_PARENT))) {
                    removeIfUnused(leaf.leaf().getParent()); // isolate's own, whoever made it
                }
            }
        }
        madeParents.forEach(ContainerCgroup::removeIfUnused);
        madeParents.clear();
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /**
     * Everything in the leaves, killed: on v2 through cgroup.kill where the kernel has it; else
     * frozen first (where a freezer is), so that nothing forks while it is killed, then thawed
     * so that the signals are taken. The processes of every leaf, not of one: those gc finds
     * may be fewer than a launch made, and a process may have left one hierarchy's leaf alone.
     */
    static void killAll(List<Leaf> leaves) {
        Optional<Leaf> unified = leaves.stream().filter(l -> l.hierarchy().unified()).findFirst();
        if (unified.isPresent() && Files.exists(unified.get().leaf().resolve("cgroup.kill"))) {
            if (!processes(List.of(unified.get())).isEmpty()) {
                write(unified.get().leaf().resolve("cgroup.kill"), "1");
            }
            return;
        }
        if (processes(leaves).isEmpty()) {
            return;
        }
        Optional<Path> freezer = leaves.stream().filter(l -> l.hierarchy().controllers().contains("freezer"))
                .map(l -> l.leaf().resolve("freezer.state")).findFirst()
                .or(() -> unified.map(l -> l.leaf().resolve("cgroup.freeze")));
        boolean v2 = unified.isPresent() && freezer.isPresent() && freezer.get().endsWith("cgroup.freeze");
        freezer.ifPresent(file -> write(file, v2 ? "1" : "FROZEN"));
        long deadline = System.nanoTime() + KILL_TIMEOUT_NANOS;
        List<Long> pids;
        while (!(pids = processes(leaves)).isEmpty() && System.nanoTime() < deadline) {
            pids.forEach(pid -> Kernel.get().call(Syscall.KILL, pid, 9));
            freezer.ifPresent(file -> write(file, v2 ? "0" : "THAWED"));
            pause();
        }
    }

    /**
     * The processes in the leaves and in the cgroups below them. Loops, not streams: every
     * launch's end runs this, and a stream pipeline's first use links its lambdas and classes
     * (3.6 ms on JDK 17, interpreted).
     */
    static List<Long> processes(List<Leaf> leaves) {
        Set<Long> found = new LinkedHashSet<>();
        for (Leaf leaf : leaves) {
            for (Path cgroup : subtree(leaf.leaf())) {
                for (String line : read(cgroup.resolve("cgroup.procs")).orElse("").split("\n")) {
                    if (!line.isBlank()) {
                        found.add(Long.parseLong(line.strip()));
                    }
                }
            }
        }
        return List.copyOf(found);
    }

    /**
     * A leaf and the cgroups made below it, each before its parent: a container that may
     * write its own cgroup (root's, without -R) can make some, and move processes there.
     */
    private static List<Path> subtree(Path leaf) {
        List<Path> found = new ArrayList<>();
        Deque<Path> pending = new ArrayDeque<>(List.of(leaf));
        while (!pending.isEmpty()) {
            Path dir = pending.pop();
            found.add(dir);
            if (!hasSubdirectories(dir)) {
                continue;
            }
            try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
                for (Path child : children) {
                    if (Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                        pending.push(child);
                    }
                }
            } catch (IOException e) {
                // gone meanwhile, or never there
            }
        }
        Collections.reverse(found); // found parents first
        return found;
    }

    /**
     * Whether a cgroup has cgroups below it: cgroupfs counts a directory's subdirectories in
     * its link count (2 without any), which saves listing the thirty-odd files of every leaf
     * when a container ends.
     */
    private static boolean hasSubdirectories(Path dir) {
        try {
            return ((Number) Files.getAttribute(dir, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue() != 2;
        } catch (IOException e) {
            return true; // gone meanwhile (the listing says so), or not a cgroupfs: look
        }
    }

    /**
     * rmdir of a leaf and of the cgroups below it, bottom up, each retried while the killed
     * processes are still leaving (the kernel says EBUSY).
     *
     * @return whether it removed the leaf (false: it was gone already)
     */
    static boolean removeWhenEmpty(Path leaf) {
        long deadline = System.nanoTime() + KILL_TIMEOUT_NANOS;
        boolean removed = false;
        for (Path dir : subtree(leaf)) {
            while (true) {
                try {
                    removed = Files.deleteIfExists(dir);
                    break;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        throw failure("rmdir " + dir, e);
                    }
                    pause();
                }
            }
        }
        return removed;
    }

    /**
     * The default parent, removed when it holds no other container's cgroup (rmdir fails then).
     *
     * @return whether it removed the directory
     */
    static boolean removeIfUnused(Path dir) {
        try {
            return Files.deleteIfExists(dir);
        } catch (DirectoryNotEmptyException e) {
            return false; // another container's
        } catch (IOException e) {
            return false; // busy: another container's, or its processes are leaving; gc takes it later
        }
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
