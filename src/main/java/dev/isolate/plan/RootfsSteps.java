package dev.isolate.plan;

import static dev.isolate.linux.Linux.*;
import static dev.isolate.plan.Slots.*;

import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.Mount;
import dev.isolate.spec.RootFilesystem;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Slot;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The child's steps that build the container's tree and switch to it, in bubblewrap's and
 * runc's order: attach the image, mount /proc, /dev and /sys and the user's mounts into it,
 * protect /proc, then pivot_root and detach the host's tree.
 *
 * <p>Every mount is made detached first (open_tree, or fsopen and fsmount) and attached
 * to a descriptor that openat2 resolved with RESOLVE_IN_ROOT, so a symbolic link in the
 * image, even one swapped in while isolate runs, resolves inside the root and never to a
 * host path. Mount points missing from the image are created where they are needed; on a
 * read-only root that fails, so the image is never changed unasked.
 */
final class RootfsSteps {
    /** Bound from the host into the fresh /dev, as bubblewrap and runc do. */
    static final List<String> DEVICES = List.of("null", "zero", "full", "random", "urandom", "tty");

    /** Where the container sees its cgroup, as in docker. */
    static final String CGROUP_MOUNT = "/sys/fs/cgroup";

    private final RootfsLayout layout;
    private final List<Step> steps = new ArrayList<>();

    private RootfsSteps(RootfsLayout layout) {
        this.layout = layout;
    }

    /**
     * @param userNamespace the container has its own user namespace (overlayfs then keeps its
     *                      metadata in user.* extended attributes)
     * @param ownNetwork    the container has a network namespace other than the host's, so it gets its own sysfs
     * @param protectKernel mask and make read-only the kernel's files a container must not see or change,
     *                      and mount /sys read-only; not with --privileged
     * @param cgroup        the container's cgroup directories, shown on /sys/fs/cgroup
     */
    static List<Step> plan(RootfsLayout layout, boolean userNamespace, boolean ownNetwork, boolean protectKernel,
            List<Prepared.CgroupDirectory> cgroup) {
        RootfsSteps plan = new RootfsSteps(layout);
        layout.privateMountPoints().forEach(plan::makePrivate);
        if (layout.bundle().isPresent()) {
            RootFilesystem.Bundle bundle = layout.bundle().get();
            // runc's order: the root stays writable until every mount point is made in it.
            plan.root(userNamespace, false);
            layout.mounts().forEach(mount -> plan.bundleMount(mount, cgroup));
            if (layout.mounts().stream().anyMatch(mount -> mount instanceof Mount.Filesystem fs
                    && fs.type().equals("tmpfs") && fs.destination().equals("/dev"))) {
                plan.defaultDevices();
            }
            bundle.devices().forEach(plan::device);
            bundle.sysctls().forEach(plan::sysctl);
            plan.protectKernelFiles();
            if (layout.readOnly()) {
                plan.rootReadOnly();
            }
        } else {
            plan.root(userNamespace, layout.readOnly());
            plan.standardMounts(ownNetwork, protectKernel);
            plan.cgroupView(CGROUP_MOUNT, cgroup);
            layout.mounts().forEach(plan::userMount);
            if (protectKernel) {
                plan.protectKernelFiles();
            }
        }
        plan.pivot();
        return List.copyOf(plan.steps);
    }

    /** A mount of an OCI bundle's list, in its order, each with its own attributes. */
    private void bundleMount(Mount mount, List<Prepared.CgroupDirectory> cgroup) {
        if (mount instanceof Mount.Filesystem fs) {
            attachNew(fs.type(), fs.destination(), fs.flags(), new LinkedHashMap<>(fs.options()), fs.attributes());
        } else if (mount instanceof Mount.Cgroups cgroups) {
            cgroupView(cgroups.destination(), cgroup);
        } else if (mount instanceof Mount.Bind bind) {
            boolean directory = !layout.fileSources().contains(bind.source());
            add(Step.of(Call.OPEN_TREE, Check.SUCCESS, "open " + bind.source() + " to bind it",
                    Arg.of(AT_FDCWD), Arg.of(bind.source()), Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC
                            | (bind.recursive() ? AT_RECURSIVE : 0))).savingIn(TREE));
            // Private, as the bundle's rprivate asks: nothing mounted inside reaches the host.
            setAttributes(bind.attributes(), true, bind.destination());
            attach(bind.destination(), directory, true);
        } else {
            throw new IllegalArgumentException("not a mount of a bundle: " + mount);
        }
    }

    /** The devices every container gets in a fresh /dev (the OCI runtime spec's list), and its links. */
    private void defaultDevices() {
        for (String device : DEVICES) {
            bindOwn("/dev/" + device, "/dev/" + device, false, 0, true);
        }
        devLinks();
    }

    /** A node of the bundle's linux.devices, made in the container's tree; what exists there is replaced. */
    private void device(RootFilesystem.Device device) {
        String path = device.path();
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            createMountPoint(path.substring(0, slash), true);
            resolve(path.substring(0, slash), O_DIRECTORY, PARENT);
        }
        Slot parent = slash > 0 ? PARENT : ROOT;
        String name = path.substring(slash + 1);
        long type = switch (device.type()) {
            case 'c' -> S_IFCHR;
            case 'b' -> S_IFBLK;
            default -> S_IFIFO;
        };
        long dev = ((device.major() & 0xfffL) << 8) | (device.minor() & 0xffL) | ((device.minor() & ~0xffL) << 12)
                | ((device.major() & ~0xfffL) << 32);
        add(Step.of(Call.MKNODAT, Check.SUCCESS_OR_EXISTS, "make the device " + path,
                Arg.of(parent), Arg.of(name), Arg.of(type | device.mode()), Arg.of(dev)));
        if (device.uid() != 0 || device.gid() != 0) {
            add(Step.of(Call.FCHOWNAT, Check.SUCCESS, "give the device " + path + " to " + device.uid() + ":"
                    + device.gid(), Arg.of(parent), Arg.of(name), Arg.of(device.uid()), Arg.of(device.gid()),
                    Arg.of(AT_SYMLINK_NOFOLLOW)));
        }
    }

    /** A sysctl written through the container's own /proc/sys, which shows its namespaces' values. */
    private void sysctl(String name, String value) {
        String file = RootFilesystem.Bundle.file(name);
        ByteBuffer how = ByteBuffer.allocate(OPEN_HOW_SIZE).order(ByteOrder.nativeOrder());
        how.putLong(O_WRONLY | O_CLOEXEC).putLong(0).putLong(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        add(Step.of(Call.OPENAT2, Check.SUCCESS, "open " + file + " to set " + name,
                Arg.of(ROOT), Arg.of(file.substring(1)), new Arg.Bytes(how.array()), Arg.of(OPEN_HOW_SIZE))
                .savingIn(TARGET));
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        add(Step.of(Call.WRITE, Check.exactly(bytes.length), "set " + name + " to " + value,
                Arg.of(TARGET), new Arg.Bytes(bytes), Arg.of(bytes.length)));
        add(Step.of(Call.CLOSE, Check.SUCCESS, "close " + file, Arg.of(TARGET)));
    }

    /** A bundle's read-only root: its own mount only, once everything is mounted in it. */
    private void rootReadOnly() {
        ByteBuffer attr = ByteBuffer.allocate(MOUNT_ATTR_SIZE).order(ByteOrder.nativeOrder());
        attr.putLong(MOUNT_ATTR_RDONLY).putLong(0).putLong(0).putLong(0);
        add(Step.of(Call.MOUNT_SETATTR, Check.SUCCESS, "make the root read-only",
                Arg.of(ROOT), Arg.of(""), Arg.of(AT_EMPTY_PATH), new Arg.Bytes(attr.array()), Arg.of(MOUNT_ATTR_SIZE)));
    }

    private void makePrivate(String mountPoint) {
        add(Step.of(Call.MOUNT, Check.SUCCESS, "make the mount at " + mountPoint + " private",
                Arg.NULL, Arg.of(mountPoint), Arg.NULL, Arg.of(MS_PRIVATE), Arg.NULL));
    }

    /** The image (or an overlay on it) mounted on itself, private, and held as {@link #ROOT}. */
    private void root(boolean userNamespace, boolean readOnly) {
        String image = layout.image();
        if (layout.overlay().isPresent()) {
            RootfsLayout.Overlay overlay = layout.overlay().get();
            overlay.scratch().ifPresent(scratch -> {
                add(Step.of(Call.MOUNT, Check.SUCCESS, "mount a tmpfs for the overlay's changes",
                        Arg.of("tmpfs"), Arg.of(scratch), Arg.of("tmpfs"), Arg.of(MS_NOSUID | MS_NODEV),
                        Arg.of("mode=0700")));
                for (String dir : List.of(overlay.upper(), overlay.work())) {
                    add(Step.of(Call.MKDIRAT, Check.SUCCESS, "create the overlay's " + dir,
                            Arg.of(AT_FDCWD), Arg.of(dir), Arg.of(0755)));
                }
            });
            Map<String, String> options = new LinkedHashMap<>();
            options.put("lowerdir", escapeLayer(image));
            options.put("upperdir", escapeLayer(overlay.upper()));
            options.put("workdir", escapeLayer(overlay.work()));
            newFilesystem("overlay", "the root", userNamespace ? List.of("userxattr") : List.of(), options, 0);
        } else {
            add(Step.of(Call.OPEN_TREE, Check.SUCCESS, "open the root filesystem " + image,
                    Arg.of(AT_FDCWD), Arg.of(image), Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE))
                    .savingIn(TREE));
        }
        setAttributes(readOnly ? MOUNT_ATTR_RDONLY : 0, true, "the root");
        add(Step.of(Call.MOVE_MOUNT, Check.SUCCESS, "mount the root filesystem on " + image,
                Arg.of(TREE), Arg.of(""), Arg.of(AT_FDCWD), Arg.of(image), Arg.of(MOVE_MOUNT_F_EMPTY_PATH)));
        add(Step.of(Call.OPENAT, Check.SUCCESS, "open the root filesystem",
                Arg.of(AT_FDCWD), Arg.of(image), Arg.of(O_PATH | O_DIRECTORY | O_CLOEXEC)).savingIn(ROOT));
    }

    private void standardMounts(boolean ownNetwork, boolean readOnlySys) {
        attachNew("proc", "/proc", List.of(), Map.of(), MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        attachNew("tmpfs", "/dev", List.of(), ordered("mode", "0755", "size", "64k"), MOUNT_ATTR_NOSUID);
        for (String device : DEVICES) {
            bindOwn("/dev/" + device, "/dev/" + device, false, 0, true);
        }
        attachNew("devpts", "/dev/pts", List.of("newinstance"), ordered("ptmxmode", "0666", "mode", "0620"),
                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
        attachNew("tmpfs", "/dev/shm", List.of(), ordered("mode", "1777", "size", "64m"),
                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        devLinks();
        long readOnly = readOnlySys ? MOUNT_ATTR_RDONLY : 0;
        if (ownNetwork) {
            attachNew("sysfs", "/sys", List.of(), Map.of(), readOnly | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                    | MOUNT_ATTR_NOEXEC);
        } else {
            // sysfs shows the network namespace of whoever mounts it: share the host's view.
            bindOwn("/sys", "/sys", true, readOnly, true);
        }
    }

    /** /dev's links: the standard streams, and ptmx to the devpts instance's. */
    private void devLinks() {
        resolve("/dev", O_DIRECTORY, PARENT);
        Map<String, String> links = ordered("fd", "/proc/self/fd", "stdin", "/proc/self/fd/0",
                "stdout", "/proc/self/fd/1", "stderr", "/proc/self/fd/2");
        links.put("ptmx", "pts/ptmx");
        links.forEach((name, target) -> add(Step.of(Call.SYMLINKAT, Check.SUCCESS_OR_EXISTS,
                "link /dev/" + name + " to " + target, Arg.of(target), Arg.of(PARENT), Arg.of(name))));
    }

    /**
     * /sys/fs/cgroup (or a bundle's cgroup mount) shows the container's own cgroup and nothing else of the host's, as docker
     * mounts it: on cgroup v2 alone its directory is bound there; otherwise a tmpfs holds one
     * directory per hierarchy, named as on the host, each a bind of the container's directory in
     * it, with a link for each controller of a co-mounted one (cpu and cpuacct to cpu,cpuacct).
     * Without a cgroup of its own, the tmpfs stays empty: the /sys of the host that a container
     * sharing its network gets is bound with the host's hierarchies below it, which this covers.
     *
     * <p>Read-only even with --privileged, where docker mounts it read-write: isolate removes
     * only the container's own directory when it ends, and a cgroup the command made below it
     * would keep that from being removed; a privileged command that wants to manage cgroups
     * can mount a hierarchy itself.
     */
    private void cgroupView(String destination, List<Prepared.CgroupDirectory> cgroup) {
        long attributes = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
        if (cgroup.size() == 1 && cgroup.get(0).name().isEmpty()) {
            bindOwn(cgroup.get(0).hostDirectory(), destination, true, attributes, false);
            return;
        }
        Set<String> names = new LinkedHashSet<>();
        for (Prepared.CgroupDirectory directory : cgroup) {
            if (directory.name().isEmpty() || !names.add(directory.name())) {
                throw new IllegalArgumentException("cgroup directories need names of their own: " + cgroup);
            }
        }
        // Written through the detached mount's descriptor before it is made read-only and attached.
        newFilesystem("tmpfs", destination, List.of(), ordered("mode", "0755", "size", "4k"),
                attributes & ~MOUNT_ATTR_RDONLY);
        Set<String> links = new LinkedHashSet<>();
        for (String name : names) {
            add(Step.of(Call.MKDIRAT, Check.SUCCESS, "create " + destination + "/" + name,
                    Arg.of(TREE), Arg.of(name), Arg.of(0755)));
            for (String controller : name.split(",")) {
                if (!controller.equals(name) && !names.contains(controller) && links.add(controller)) {
                    add(Step.of(Call.SYMLINKAT, Check.SUCCESS, "link " + destination + "/" + controller + " to "
                            + name, Arg.of(name), Arg.of(TREE), Arg.of(controller)));
                }
            }
        }
        setAttributes(attributes, false, destination);
        attach(destination, true, false);
        for (Prepared.CgroupDirectory directory : cgroup) {
            bindOwn(directory.hostDirectory(), destination + "/" + directory.name(), true, attributes, false);
        }
    }

    private void userMount(Mount mount) {
        if (mount instanceof Mount.Bind bind) {
            boolean directory = !layout.fileSources().contains(bind.source());
            add(Step.of(Call.OPEN_TREE, Check.SUCCESS, "open " + bind.source() + " to bind it",
                    Arg.of(AT_FDCWD), Arg.of(bind.source()),
                    Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)).savingIn(TREE));
            if (bind.readOnly()) {
                setAttributes(MOUNT_ATTR_RDONLY, false, bind.destination());
            }
            attach(bind.destination(), directory, true);
        } else if (mount instanceof Mount.Tmpfs tmpfs) {
            Map<String, String> options = ordered("mode", "1777");
            tmpfs.size().ifPresent(size -> options.put("size", size));
            attachNew("tmpfs", tmpfs.destination(), List.of(), options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        }
    }

    /**
     * Read-only binds of parts of the new /proc onto themselves; /dev/null over secret files and
     * an empty read-only tmpfs over secret directories. Without CAP_SYS_ADMIN the command cannot
     * undo them.
     */
    private void protectKernelFiles() {
        for (String path : layout.readOnlyPaths()) {
            if (layout.kernelFiles().contains(path)) {
                resolve(path, 0, TARGET);
                add(Step.of(Call.OPEN_TREE, Check.SUCCESS, "open " + path + " to make it read-only",
                        Arg.of(TARGET), Arg.of(""), Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH
                                | AT_RECURSIVE)).savingIn(TREE));
                setAttributes(MOUNT_ATTR_RDONLY, true, path);
                moveTreeTo(path);
            }
        }
        for (String path : layout.maskedPaths()) {
            if (layout.kernelDirectories().contains(path)) {
                newFilesystem("tmpfs", path, List.of(), ordered("mode", "0555", "size", "0"), MOUNT_ATTR_RDONLY
                        | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
                attach(path, true, false);
            } else if (layout.kernelFiles().contains(path)) {
                bindOwn("/dev/null", path, false, MOUNT_ATTR_RDONLY, false);
            }
        }
    }

    /**
     * pivot_root(".", ".") stacks the old root on the new one; it is then made private, so
     * that detaching it cannot unmount anything on the host, and detached.
     */
    private void pivot() {
        add(Step.of(Call.OPENAT, Check.SUCCESS, "open the host's root",
                Arg.of(AT_FDCWD), Arg.of("/"), Arg.of(O_PATH | O_DIRECTORY | O_CLOEXEC)).savingIn(OLD_ROOT));
        add(Step.of(Call.FCHDIR, Check.SUCCESS, "enter the root filesystem", Arg.of(ROOT)));
        add(Step.of(Call.PIVOT_ROOT, Check.SUCCESS, "pivot_root into the root filesystem", Arg.of("."), Arg.of(".")));
        add(Step.of(Call.FCHDIR, Check.SUCCESS, "enter the host's root", Arg.of(OLD_ROOT)));
        add(Step.of(Call.MOUNT, Check.SUCCESS, "make the host's tree private",
                Arg.NULL, Arg.of("."), Arg.NULL, Arg.of(MS_REC | MS_PRIVATE), Arg.NULL));
        add(Step.of(Call.UMOUNT2, Check.SUCCESS, "detach the host's tree", Arg.of("."), Arg.of(MNT_DETACH)));
        add(Step.of(Call.CLOSE, Check.SUCCESS, "close the host's root", Arg.of(OLD_ROOT)));
        add(Step.of(Call.CHDIR, Check.SUCCESS, "chdir /", Arg.of("/")));
    }

    /** A new filesystem of {@code type}, mounted detached and held in {@link #TREE}. */
    private void newFilesystem(String type, String forWhat, List<String> flags, Map<String, String> options,
            long attributes) {
        add(Step.of(Call.FSOPEN, Check.SUCCESS, "open a " + type + " filesystem for " + forWhat,
                Arg.of(type), Arg.of(FSOPEN_CLOEXEC)).savingIn(CONTEXT));
        // Named after its type in mount's output, as mount(8) users are used to.
        add(Step.of(Call.FSCONFIG, Check.SUCCESS, type + " source for " + forWhat,
                Arg.of(CONTEXT), Arg.of(FSCONFIG_SET_STRING), Arg.of("source"), Arg.of(type), Arg.of(0)));
        for (String flag : flags) {
            add(Step.of(Call.FSCONFIG, Check.SUCCESS, type + " option " + flag + " for " + forWhat,
                    Arg.of(CONTEXT), Arg.of(FSCONFIG_SET_FLAG), Arg.of(flag), Arg.NULL, Arg.of(0)));
        }
        options.forEach((key, value) -> add(Step.of(Call.FSCONFIG, Check.SUCCESS,
                type + " option " + key + "=" + value + " for " + forWhat,
                Arg.of(CONTEXT), Arg.of(FSCONFIG_SET_STRING), Arg.of(key), Arg.of(value), Arg.of(0))));
        add(Step.of(Call.FSCONFIG, Check.SUCCESS, "create the " + type + " filesystem for " + forWhat,
                Arg.of(CONTEXT), Arg.of(FSCONFIG_CMD_CREATE), Arg.NULL, Arg.NULL, Arg.of(0)));
        add(Step.of(Call.FSMOUNT, Check.SUCCESS, "mount the " + type + " filesystem for " + forWhat,
                Arg.of(CONTEXT), Arg.of(FSMOUNT_CLOEXEC), Arg.of(attributes)).savingIn(TREE));
        add(Step.of(Call.CLOSE, Check.SUCCESS, "close the " + type + " filesystem context", Arg.of(CONTEXT)));
    }

    private void attachNew(String type, String destination, List<String> flags, Map<String, String> options,
            long attributes) {
        newFilesystem(type, destination, flags, options, attributes);
        attach(destination, true, true);
    }

    /** A host path bound for isolate's own purposes: private, so nothing flows through it. */
    private void bindOwn(String hostPath, String destination, boolean directory, long attributes, boolean create) {
        add(Step.of(Call.OPEN_TREE, Check.SUCCESS, "open " + hostPath + " to bind it on " + destination,
                Arg.of(AT_FDCWD), Arg.of(hostPath), Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE))
                .savingIn(TREE));
        setAttributes(attributes, true, destination);
        attach(destination, directory, create);
    }

    private void setAttributes(long attributes, boolean makePrivate, String forWhat) {
        ByteBuffer attr = ByteBuffer.allocate(MOUNT_ATTR_SIZE).order(ByteOrder.nativeOrder());
        attr.putLong(attributes).putLong(0).putLong(makePrivate ? MS_PRIVATE : 0).putLong(0);
        add(Step.of(Call.MOUNT_SETATTR, Check.SUCCESS, "set the mount options of " + forWhat,
                Arg.of(TREE), Arg.of(""), Arg.of(AT_EMPTY_PATH | AT_RECURSIVE), new Arg.Bytes(attr.array()),
                Arg.of(MOUNT_ATTR_SIZE)));
    }

    /** Attaches {@link #TREE} at a path inside the root, creating the mount point if asked. */
    private void attach(String destination, boolean directory, boolean create) {
        if (create) {
            createMountPoint(destination, directory);
        }
        resolve(destination, 0, TARGET);
        moveTreeTo(destination);
    }

    private void moveTreeTo(String destination) {
        add(Step.of(Call.MOVE_MOUNT, Check.SUCCESS, "mount on " + destination,
                Arg.of(TREE), Arg.of(""), Arg.of(TARGET), Arg.of(""),
                Arg.of(MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)));
    }

    /** mkdir -p inside the root, one component at a time; what exists is left as it is. */
    private void createMountPoint(String destination, boolean directory) {
        String[] names = destination.substring(1).split("/");
        String what = "create the mount point " + destination + " in the root filesystem";
        for (int i = 0; i < names.length; i++) {
            Slot parent = ROOT;
            if (i > 0) {
                resolve("/" + String.join("/", List.of(names).subList(0, i)), O_DIRECTORY, PARENT);
                parent = PARENT;
            }
            boolean last = i == names.length - 1;
            if (last && !directory) {
                add(Step.of(Call.MKNODAT, Check.SUCCESS_OR_EXISTS, what,
                        Arg.of(parent), Arg.of(names[i]), Arg.of(S_IFREG | 0644), Arg.of(0)));
            } else {
                add(Step.of(Call.MKDIRAT, Check.SUCCESS_OR_EXISTS, what,
                        Arg.of(parent), Arg.of(names[i]), Arg.of(0755)));
            }
        }
    }

    /** openat2(ROOT, path, O_PATH, RESOLVE_IN_ROOT): ".." and every link stay inside the root. */
    private void resolve(String path, int flags, Slot into) {
        ByteBuffer how = ByteBuffer.allocate(OPEN_HOW_SIZE).order(ByteOrder.nativeOrder());
        how.putLong(O_PATH | O_CLOEXEC | flags).putLong(0).putLong(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        add(Step.of(Call.OPENAT2, Check.SUCCESS, "find " + path + " in the root filesystem",
                Arg.of(ROOT), Arg.of(path.substring(1)), new Arg.Bytes(how.array()), Arg.of(OPEN_HOW_SIZE))
                .savingIn(into));
    }

    /**
     * overlayfs splits lowerdir at ':' and, though fsconfig passes each option whole, at ','
     * too; it takes '\' as an escape in every directory it is given, upperdir and workdir too.
     */
    static String escapeLayer(String path) {
        return path.replace("\\", "\\\\").replace(":", "\\:").replace(",", "\\,");
    }

    private static Map<String, String> ordered(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private void add(Step step) {
        steps.add(step);
    }
}
