package dev.isolate.plan;

import java.util.Map;

import dev.isolate.spec.RootFilesystem;

import static dev.isolate.linux.Linux.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.Mount;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Slot;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RootfsStepsTest {
    private static final Set<String> ALL_PROC = Set.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/kcore",
            "/proc/keys", "/proc/timer_list", "/proc/acpi", "/sys/firmware");
    private static final Set<String> DIRECTORIES = Set.of("/proc/sys", "/proc/irq", "/proc/acpi", "/sys/firmware");

    private static RootfsLayout layout(boolean readOnly, Optional<RootfsLayout.Overlay> overlay, List<Mount> mounts,
            Set<String> fileSources) {
        return new RootfsLayout("/images/busybox", readOnly, overlay, mounts, fileSources, List.of(), ALL_PROC, DIRECTORIES);
    }

    private static List<Step> plan(RootfsLayout layout) {
        return RootfsSteps.plan(layout, false, false, true, List.of());
    }

    private static int index(List<Step> steps, Call call) {
        return steps.stream().map(Step::call).toList().indexOf(call);
    }

    private static long word(Arg bytes, int index) {
        return ByteBuffer.wrap(((Arg.Bytes) bytes).value()).order(ByteOrder.nativeOrder()).getLong(8 * index);
    }

    /** The step that last saved into {@code slot} before {@code at}. */
    private static Step writerOf(List<Step> steps, Slot slot, int at) {
        for (int i = at - 1; i >= 0; i--) {
            if (steps.get(i).saveIn().equals(Optional.of(slot))) {
                return steps.get(i);
            }
        }
        throw new AssertionError("nothing saved in " + slot + " before step " + at);
    }

    @Test
    void everyMountLandsOnAPathResolvedInsideTheRoot() {
        List<Step> steps = plan(layout(false, Optional.empty(),
                List.of(new Mount.Bind("/srv/data", "/data", false), new Mount.Tmpfs("/run", Optional.of("8m"))),
                Set.of()));
        int checked = 0;
        for (int i = 0; i < index(steps, Call.PIVOT_ROOT); i++) {
            Step step = steps.get(i);
            if (step.call() == Call.MOVE_MOUNT && step.args().get(2) instanceof Arg.Saved target) {
                Step resolve = writerOf(steps, target.slot(), i);
                assertEquals(Call.OPENAT2, resolve.call(), step.what());
                assertEquals(new Arg.Saved(Slots.ROOT), resolve.args().get(0));
                assertEquals(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS, word(resolve.args().get(2), 2));
                checked++;
            }
        }
        // proc, /dev, six devices, pts, shm, sys, /sys/fs/cgroup, two user mounts, three read-only entries,
        // three masked files and two masked directories
        assertEquals(1 + 1 + 6 + 2 + 1 + 1 + 2 + 3 + 3 + 2, checked);
    }

    @Test
    void maskedDirectoriesGetAnEmptyReadOnlyTmpfsAndFilesDevNull() {
        List<Step> steps = plan(layout(false, Optional.empty(), List.of(), Set.of()));
        for (String directory : List.of("/proc/acpi", "/sys/firmware")) {
            assertTrue(steps.stream().anyMatch(s -> s.what().equals("mount the tmpfs filesystem for " + directory)
                    && (((Arg.Value) s.args().get(2)).value() & MOUNT_ATTR_RDONLY) != 0), directory);
        }
        assertTrue(steps.stream().anyMatch(s -> s.what().equals("open /dev/null to bind it on /proc/kcore")));
    }

    @Test
    void privilegedContainersSeeEverythingAndAWritableSys() {
        List<Step> steps = RootfsSteps.plan(layout(false, Optional.empty(), List.of(), Set.of()), false, true, false, List.of());
        assertFalse(steps.stream().anyMatch(s -> s.what().contains("/proc/kcore") || s.what().contains("/proc/acpi")
                || s.what().contains("read-only")));
        Step sysfs = steps.stream().filter(s -> s.what().equals("mount the sysfs filesystem for /sys")).findFirst()
                .orElseThrow();
        assertEquals(0, ((Arg.Value) sysfs.args().get(2)).value() & MOUNT_ATTR_RDONLY);
    }

    @Test
    void theRootIsAttachedPrivateThenPivotedIntoAndTheHostTreeDetached() {
        List<Step> steps = plan(layout(false, Optional.empty(), List.of(), Set.of()));
        Step open = steps.get(0);
        assertEquals(Call.OPEN_TREE, open.call());
        assertEquals(new Arg.CString("/images/busybox"), open.args().get(1));
        Step attributes = steps.get(1);
        assertEquals(Call.MOUNT_SETATTR, attributes.call());
        assertEquals(0, word(attributes.args().get(3), 0), "writable");
        assertEquals(MS_PRIVATE, word(attributes.args().get(3), 2));
        assertEquals(Call.MOVE_MOUNT, steps.get(2).call());
        assertEquals(new Arg.CString("/images/busybox"), steps.get(2).args().get(3));

        List<Call> tail = steps.subList(steps.size() - 8, steps.size()).stream().map(Step::call).toList();
        assertEquals(List.of(Call.OPENAT, Call.FCHDIR, Call.PIVOT_ROOT, Call.FCHDIR, Call.MOUNT, Call.UMOUNT2,
                Call.CLOSE, Call.CHDIR), tail);
        Step detach = steps.get(steps.size() - 3);
        assertEquals(new Arg.Value(MNT_DETACH), detach.args().get(1));
        Step makePrivate = steps.get(steps.size() - 4);
        assertEquals(new Arg.Value(MS_REC | MS_PRIVATE), makePrivate.args().get(3),
                "detaching a shared tree would unmount the host's mounts too");
    }

    @Test
    void aReadOnlyRootIsReadOnlyBeforeAnyMountPointIsCreated() {
        List<Step> steps = plan(layout(true, Optional.empty(), List.of(), Set.of()));
        assertEquals(MOUNT_ATTR_RDONLY, word(steps.get(1).args().get(3), 0));
        assertTrue(index(steps, Call.MOUNT_SETATTR) < index(steps, Call.MKDIRAT));
    }

    @Test
    void mountPointsAreCreatedComponentByComponentAndExistingOnesAreKept() {
        List<Step> steps = plan(layout(false, Optional.empty(),
                List.of(new Mount.Bind("/etc/hosts", "/a/b/hosts", true)), Set.of("/etc/hosts")));
        int open = steps.stream().map(s -> s.args().size() < 2 ? Arg.NULL : s.args().get(1)).toList()
                .indexOf(new Arg.CString("/etc/hosts"));
        List<Step> bind = steps.subList(open, steps.size()).stream().filter(s -> s.args().size() > 1).toList();
        Step mkdirA = bind.stream().filter(s -> s.args().get(1).equals(new Arg.CString("a"))).findFirst().orElseThrow();
        assertEquals(Call.MKDIRAT, mkdirA.call());
        assertEquals(new Arg.Saved(Slots.ROOT), mkdirA.args().get(0));
        assertEquals(Check.SUCCESS_OR_EXISTS, mkdirA.check());
        Step file = bind.stream().filter(s -> s.args().get(1).equals(new Arg.CString("hosts"))).findFirst()
                .orElseThrow();
        assertEquals(Call.MKNODAT, file.call(), "a file is bound on a file");
        assertEquals(new Arg.Value(S_IFREG | 0644), file.args().get(2));
        assertEquals(MOUNT_ATTR_RDONLY, word(bind.get(1).args().get(3), 0));
        assertEquals(0, word(bind.get(1).args().get(3), 2), "the user's binds keep their propagation");
    }

    @Test
    void aThrowAwayOverlayKeepsItsLayersOnATmpfs() {
        RootfsLayout.Overlay overlay = new RootfsLayout.Overlay(Optional.of("/run/isolate/overlay/1-x"),
                "/run/isolate/overlay/1-x/upper", "/run/isolate/overlay/1-x/work");
        RootfsLayout layout = new RootfsLayout("/images/a:b", false, Optional.of(overlay), List.of(), Set.of(),
                List.of(), Set.of(), Set.of());
        List<Step> steps = RootfsSteps.plan(layout, true, false, true, List.of());
        assertEquals(Call.MOUNT, steps.get(0).call());
        assertEquals(new Arg.CString("tmpfs"), steps.get(0).args().get(0));
        assertEquals(new Arg.CString("/run/isolate/overlay/1-x"), steps.get(0).args().get(1));
        List<Arg> configured = steps.stream().filter(s -> s.call() == Call.FSCONFIG).limit(6)
                .map(s -> s.args().get(2)).toList();
        assertEquals(List.of(new Arg.CString("source"), new Arg.CString("userxattr"), new Arg.CString("lowerdir"), new Arg.CString("upperdir"),
                new Arg.CString("workdir"), Arg.NULL), configured);
        Step lower = steps.stream().filter(s -> s.args().size() > 2 && s.args().get(2).equals(new Arg.CString(
                "lowerdir"))).findFirst().orElseThrow();
        assertEquals(new Arg.CString("/images/a\\:b"), lower.args().get(3));
        assertFalse(RootfsSteps.plan(layout, false, false, true, List.of()).stream().anyMatch(s -> s.args().size() > 2
                && s.args().get(2).equals(new Arg.CString("userxattr"))), "only in a user namespace");
    }

    @Test
    void sysIsFreshOnlyWithItsOwnNetworkNamespace() {
        RootfsLayout layout = layout(false, Optional.empty(), List.of(), Set.of());
        assertTrue(RootfsSteps.plan(layout, false, true, true, List.of()).stream()
                .anyMatch(s -> s.call() == Call.FSOPEN && s.args().get(0).equals(new Arg.CString("sysfs"))));
        assertTrue(RootfsSteps.plan(layout, false, false, true, List.of()).stream()
                .anyMatch(s -> s.call() == Call.OPEN_TREE && s.args().get(1).equals(new Arg.CString("/sys"))));
    }

    @Test
    void hostMountPointsAreMadePrivateFirstAndMissingProcEntriesAreSkipped() {
        RootfsLayout layout = new RootfsLayout("/images/busybox", false, Optional.empty(), List.of(), Set.of(),
                List.of("/images"), Set.of("/proc/sys"), Set.of("/proc/sys"));
        List<Step> steps = plan(layout);
        assertEquals(new Arg.CString("/images"), steps.get(0).args().get(1));
        assertEquals(new Arg.Value(MS_PRIVATE), steps.get(0).args().get(3));
        long masks = IntStream.range(0, steps.size()).filter(i -> steps.get(i).call() == Call.OPEN_TREE
                && steps.get(i).args().get(1).equals(new Arg.CString("/dev/null"))).count();
        assertEquals(1, masks, "/dev/null itself, and no mask for missing entries");
    }

    /** The steps from the mount on /sys/fs/cgroup to the last step before the user's first mount, briefly. */
    private static List<String> cgroupView(List<Prepared.CgroupDirectory> cgroup) {
        RootfsLayout layout = layout(false, Optional.empty(), List.of(new Mount.Tmpfs("/run", Optional.empty())),
                Set.of());
        List<Step> steps = RootfsSteps.plan(layout, false, false, true, cgroup);
        int sys = steps.stream().map(Step::what).toList().indexOf("mount on /sys");
        int user = steps.stream().map(Step::what).toList().indexOf("open a tmpfs filesystem for /run");
        return steps.subList(sys + 1, user).stream().map(step -> step.call() + step.args().stream()
                .map(arg -> " " + brief(step, arg)).filter(word -> !word.isBlank())
                .collect(java.util.stream.Collectors.joining())).toList();
    }

    /** A string, a slot (TREE, or fd for any other), mount_setattr's attributes; nothing for the rest. */
    private static String brief(Step step, Arg arg) {
        if (arg instanceof Arg.CString string) {
            return string.value();
        }
        if (arg instanceof Arg.Saved saved) {
            return saved.slot().equals(Slots.TREE) ? "TREE" : "fd";
        }
        return step.call() == Call.MOUNT_SETATTR && arg instanceof Arg.Bytes ? Long.toString(word(arg, 0)) : "";
    }

    private static final long VIEW_ATTRIBUTES = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
            | MOUNT_ATTR_NOEXEC;

    @Test
    void cgroupV1HierarchiesAreDirectoriesOfAReadOnlyTmpfsEachBoundReadOnlyFromTheHost() {
        List<String> steps = cgroupView(List.of(
                new Prepared.CgroupDirectory("memory", "/sys/fs/cgroup/memory/isolate/isolate-7-8"),
                new Prepared.CgroupDirectory("cpu,cpuacct", "/sys/fs/cgroup/cpu,cpuacct/isolate/isolate-7-8")));
        assertEquals(List.of("FSOPEN tmpfs", "FSCONFIG fd source tmpfs", "FSCONFIG fd mode 0755", "FSCONFIG fd size 4k",
                "FSCONFIG fd", "FSMOUNT fd", "CLOSE fd",
                "MKDIRAT TREE memory", "MKDIRAT TREE cpu,cpuacct", "SYMLINKAT cpu,cpuacct TREE cpu",
                "SYMLINKAT cpu,cpuacct TREE cpuacct",
                "MOUNT_SETATTR TREE " + VIEW_ATTRIBUTES, "OPENAT2 fd sys/fs/cgroup", "MOVE_MOUNT TREE fd",
                "OPEN_TREE /sys/fs/cgroup/memory/isolate/isolate-7-8", "MOUNT_SETATTR TREE " + VIEW_ATTRIBUTES,
                "OPENAT2 fd sys/fs/cgroup/memory", "MOVE_MOUNT TREE fd",
                "OPEN_TREE /sys/fs/cgroup/cpu,cpuacct/isolate/isolate-7-8", "MOUNT_SETATTR TREE " + VIEW_ATTRIBUTES,
                "OPENAT2 fd sys/fs/cgroup/cpu,cpuacct", "MOVE_MOUNT TREE fd"), steps);
    }

    @Test
    void theTmpfsIsWritableOnlyUntilItsDirectoriesAreMade() {
        RootfsLayout layout = layout(false, Optional.empty(), List.of(), Set.of());
        List<Step> steps = RootfsSteps.plan(layout, false, false, true,
                List.of(new Prepared.CgroupDirectory("pids", "/sys/fs/cgroup/pids/isolate/isolate-7-8")));
        int fsmount = steps.stream().map(Step::what).toList().indexOf("mount the tmpfs filesystem for /sys/fs/cgroup");
        assertEquals(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
                ((Arg.Value) steps.get(fsmount).args().get(2)).value());
        Step readOnly = steps.get(fsmount + 3);
        assertEquals(Call.MOUNT_SETATTR, readOnly.call());
        assertEquals(0, word(readOnly.args().get(3), 2), "a new filesystem's mount is private already");
    }

    @Test
    void cgroupV2AloneIsBoundOnSysFsCgroupItself() {
        assertEquals(List.of("OPEN_TREE /sys/fs/cgroup/isolate/isolate-7-8", "MOUNT_SETATTR TREE " + VIEW_ATTRIBUTES,
                "OPENAT2 fd sys/fs/cgroup", "MOVE_MOUNT TREE fd"),
                cgroupView(List.of(Prepared.CgroupDirectory.unified("/sys/fs/cgroup/isolate/isolate-7-8"))));
    }

    @Test
    void withoutACgroupSysFsCgroupIsAnEmptyReadOnlyTmpfs() {
        List<String> steps = cgroupView(List.of());
        assertEquals(List.of("FSOPEN tmpfs", "FSCONFIG fd source tmpfs", "FSCONFIG fd mode 0755", "FSCONFIG fd size 4k",
                "FSCONFIG fd", "FSMOUNT fd", "CLOSE fd", "MOUNT_SETATTR TREE " + VIEW_ATTRIBUTES,
                "OPENAT2 fd sys/fs/cgroup", "MOVE_MOUNT TREE fd"), steps);
        List<Step> privileged = RootfsSteps.plan(layout(false, Optional.empty(), List.of(), Set.of()), false, true,
                false, List.of());
        assertTrue(privileged.stream().anyMatch(s -> s.what().equals("mount on /sys/fs/cgroup")),
                "--privileged hides the host's hierarchy too");
    }

    @Test
    void cgroupDirectoriesNeedNamesOfTheirOwn() {
        RootfsLayout layout = layout(false, Optional.empty(), List.of(), Set.of());
        for (List<Prepared.CgroupDirectory> bad : List.of(
                List.of(new Prepared.CgroupDirectory("pids", "/a"), new Prepared.CgroupDirectory("pids", "/b")),
                List.of(Prepared.CgroupDirectory.unified("/a"), new Prepared.CgroupDirectory("pids", "/b")))) {
            assertThrows(IllegalArgumentException.class, () -> RootfsSteps.plan(layout, false, false, true, bad));
        }
        for (String name : List.of("a/b", "..", ".")) {
            assertThrows(IllegalArgumentException.class, () -> new Prepared.CgroupDirectory(name, "/a"));
        }
    }

    @Test
    void overlayLayersAreEscaped() {
        assertEquals("/a\\\\b\\:c\\,d", RootfsSteps.escapeLayer("/a\\b:c,d"));
    }

    private static RootfsLayout bundle(boolean readOnly, List<Mount> mounts, RootFilesystem.Bundle bundle) {
        return new RootfsLayout("/images/busybox", readOnly, Optional.empty(), mounts, Set.of("/run/hosts"), List.of(),
                Set.of("/proc/sys", "/proc/kcore", "/sys/firmware"), Set.of("/proc/sys", "/sys/firmware"),
                Optional.of(bundle));
    }

    private static List<String> whats(List<Step> steps) {
        return steps.stream().map(Step::what).toList();
    }

    @Test
    void aBundleGetsItsOwnMountsInOrderAndNoneOfIsolates() {
        List<Mount> mounts = List.of(
                new Mount.Filesystem("proc", "/proc", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, List.of(), Map.of()),
                new Mount.Filesystem("tmpfs", "/dev", MOUNT_ATTR_NOSUID, List.of(), Map.of("mode", "755")),
                new Mount.Filesystem("devpts", "/dev/pts", 0, List.of("newinstance"), Map.of("gid", "5")),
                new Mount.Bind("/run/hosts", "/etc/hosts", false, MOUNT_ATTR_RDONLY),
                new Mount.Cgroups("/sys/fs/cgroup"));
        RootFilesystem.Bundle lists = new RootFilesystem.Bundle(List.of("/proc/kcore", "/sys/firmware"),
                List.of("/proc/sys"), List.of(), Map.of());
        List<String> whats = whats(RootfsSteps.plan(bundle(false, mounts, lists), false, true, true, List.of()));
        assertTrue(whats.contains("devpts option newinstance for /dev/pts"), whats.toString());
        assertTrue(whats.contains("devpts option gid=5 for /dev/pts"), whats.toString());
        assertFalse(whats.stream().anyMatch(w -> w.contains("/dev/shm") || w.contains("sysfs")),
                "isolate's own /dev/shm and /sys are not added: " + whats);
        List<Integer> order = List.of(whats.indexOf("mount on /proc"), whats.indexOf("mount on /dev"),
                whats.indexOf("mount on /dev/pts"), whats.indexOf("mount on /etc/hosts"),
                whats.indexOf("mount on /dev/null"), whats.indexOf("mount on /proc/sys"),
                whats.indexOf("mount on /proc/kcore"), whats.indexOf("pivot_root into the root filesystem"));
        assertEquals(order.stream().sorted().toList(), order, "the bundle's order, then devices, then protection: "
                + whats);
        assertFalse(order.contains(-1), whats.toString());
        assertTrue(whats.contains("mount on /sys/fs/cgroup"), "the cgroup mount shows the container's own: " + whats);
        assertTrue(whats.contains("link /dev/ptmx to pts/ptmx"));
    }

    @Test
    void aBundleBindKeepsItsAttributesAndOnlyAnRbindIsRecursive() {
        List<Step> steps = RootfsSteps.plan(bundle(false, List.of(new Mount.Bind("/srv", "/srv", false,
                MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV), new Mount.Bind("/data", "/data", true, 0)),
                new RootFilesystem.Bundle(List.of(), List.of(), List.of(), Map.of())), false, true, true, List.of());
        Step single = steps.stream().filter(s -> s.what().equals("open /srv to bind it")).findFirst().orElseThrow();
        Step recursive = steps.stream().filter(s -> s.what().equals("open /data to bind it")).findFirst().orElseThrow();
        assertEquals(Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC), single.args().get(2));
        assertEquals(Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE), recursive.args().get(2));
        Step attributes = steps.get(steps.indexOf(single) + 1);
        assertEquals(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, word(attributes.args().get(3), 0));
    }

    @Test
    void aBundlesDevicesAndSysctlsComeBeforeItsReadOnlyPathsAndARootMadeReadOnlyLast() {
        RootFilesystem.Bundle lists = new RootFilesystem.Bundle(List.of(), List.of("/proc/sys"),
                List.of(new RootFilesystem.Device("/dev/fuse", 'c', 10, 229, 0666, 0, 0),
                        new RootFilesystem.Device("/dev/sda", 'b', 8, 0, 0660, 0, 6)),
                Map.of("net.ipv4.ping_group_range", "0 0"));
        List<Step> steps = RootfsSteps.plan(bundle(true, List.of(), lists), false, true, true, List.of());
        List<String> whats = whats(steps);
        Step fuse = steps.get(whats.indexOf("make the device /dev/fuse"));
        assertEquals(Arg.of(S_IFCHR | 0666), fuse.args().get(2));
        assertEquals(Arg.of((10L << 8) | 229), fuse.args().get(3));
        assertTrue(whats.contains("give the device /dev/sda to 0:6"));
        int sysctl = whats.indexOf("set net.ipv4.ping_group_range to 0 0");
        assertEquals(new Arg.Bytes("0 0".getBytes()), steps.get(sysctl).args().get(1));
        assertEquals(Arg.of("proc/sys/net/ipv4/ping_group_range"), steps.get(sysctl - 1).args().get(1));
        assertTrue(sysctl < whats.indexOf("mount on /proc/sys"), whats.toString());
        int readOnly = whats.indexOf("make the root read-only");
        assertTrue(readOnly > whats.indexOf("mount on /proc/sys") && readOnly < whats.indexOf(
                "pivot_root into the root filesystem"), whats.toString());
        assertEquals(0L, word(steps.get(whats.indexOf("set the mount options of the root")).args().get(3), 0),
                "the root stays writable while mount points are made");
    }
}
