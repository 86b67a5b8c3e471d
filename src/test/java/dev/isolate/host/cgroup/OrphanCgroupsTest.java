package dev.isolate.host.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.host.Caller;
import dev.isolate.state.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * isolate gc over a fake cgroup tree in a temporary directory: a v2 hierarchy with a subtree
 * delegated to the caller, as systemd's user@UID.service is, and a v1 one. Whoever runs the
 * test owns the files, so the caller is that uid without privilege: the rootless path, which
 * has every check the root path has and the delegation besides.
 *
 * <p>Leaves to be removed are bare directories: the kernel lets a cgroup's directory go with
 * its interface files in it, a file system does not. Killing and removing real cgroups is
 * CgroupCleanupIT's.
 */
class OrphanCgroupsTest {
    @TempDir
    Path tmp;
    private Path mount;
    private Path delegated;
    private Caller caller;
    private ProcessIdentity live;
    private ProcessIdentity dead;

    @BeforeEach
    void delegatedSubtree() throws IOException {
        long uid = ((Number) Files.getAttribute(tmp, "unix:uid")).longValue();
        caller = new Caller(uid, uid, "someone", false, false);
        mount = tmp.resolve("cgroup");
        String service = "user.slice/user-" + uid + ".slice/user@" + uid + ".service";
        delegated = mount.resolve(service);
        kernelFiles(mount);
        kernelFiles(mount.resolve("user.slice"));
        kernelFiles(mount.resolve("user.slice/user-" + uid + ".slice"));
        kernelFiles(delegated);
        kernelFiles(delegated.resolve("app.slice"));
        live = ProcessIdentity.of(ProcessHandle.current().pid()).orElseThrow();
        dead = new ProcessIdentity(live.pid(), live.startTime() + 1); // the same pid, another process
    }

    private Hierarchies v2() {
        return new Hierarchies(List.of(new Hierarchies.Hierarchy(mount, true, Set.of("memory", "pids", "cpu"),
                "/" + mount.relativize(delegated.resolve("app.slice/session.scope")))));
    }

    /** A cgroup directory with what the kernel puts in each (no controller's files: gc reads none). */
    private static Path kernelFiles(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("cgroup.procs"), "");
        Files.writeString(dir.resolve("cgroup.controllers"), "memory pids cpu\n");
        Files.writeString(dir.resolve("cgroup.subtree_control"), "");
        return dir;
    }

    private List<Path> collect(Hierarchies hierarchies, List<String> recorded) {
        List<Path> removed = new ArrayList<>();
        OrphanCgroups.collect(caller, hierarchies, recorded, removed::add);
        return removed;
    }

    @Test
    void aDeadOwnersLeafIsRemovedALiveOnesKeptAndOtherNamesUntouched() throws IOException {
        Path parent = Files.createDirectory(delegated.resolve("isolate"));
        Path liveLeaf = kernelFiles(parent.resolve(ContainerCgroup.leafName(live)));
        Path deadLeaf = Files.createDirectory(parent.resolve(ContainerCgroup.leafName(dead)));
        List<Path> others = new ArrayList<>();
        for (String name : List.of("isolate-" + dead.pid() + "-0" + dead.startTime(), "isolate-+" + dead.pid()
                + "-" + dead.startTime(), "isolate-" + dead.pid() + "-" + dead.startTime() + "-1", "isolate-x-1",
                "isolate-", "docker-" + dead.pid() + "-" + dead.startTime(), "isolate-1")) {
            others.add(Files.createDirectory(parent.resolve(name)));
        }
        Path file = Files.writeString(parent.resolve(ContainerCgroup.leafName(new ProcessIdentity(dead.pid(),
                dead.startTime() + 1))), "");

        assertEquals(List.of(deadLeaf), collect(v2(), List.of()));
        assertTrue(Files.isDirectory(liveLeaf), "a running isolate's cgroup");
        others.forEach(dir -> assertTrue(Files.isDirectory(dir), "not a name isolate makes: " + dir));
        assertTrue(Files.exists(file), "not a directory");
        assertTrue(Files.isDirectory(parent), "still holds the others");
    }

    @Test
    void theDefaultParentGoesWithTheLastOrphanAndALeafWithWhatWasMadeBelowIt() throws IOException {
        Path parent = Files.createDirectory(delegated.resolve("isolate"));
        Path first = Files.createDirectory(parent.resolve(ContainerCgroup.leafName(dead)));
        Path second = Files.createDirectory(parent.resolve(ContainerCgroup.leafName(new ProcessIdentity(
                live.pid(), live.startTime() + 2))));
        Files.createDirectories(first.resolve("made/inside")); // by the container, in its own cgroup

        List<Path> removed = collect(v2(), List.of());

        assertEquals(Set.of(first, second), Set.copyOf(removed.subList(0, 2)));
        assertEquals(List.of(parent), removed.subList(2, removed.size()), "then the parent, once");
        assertTrue(Files.isDirectory(delegated), "the delegated subtree is systemd's");
        assertEquals(List.of(), collect(v2(), List.of()), "nothing is left to remove");
    }

    @Test
    void aRecordedParentIsSearchedWhenItIsBelowTheCallersSubtree() throws IOException {
        Path custom = kernelFiles(delegated.resolve("ci/jobs"));
        Path orphan = Files.createDirectory(custom.resolve(ContainerCgroup.leafName(dead)));
        Path neighbour = Files.createDirectory(custom.resolve(ContainerCgroup.leafName(new ProcessIdentity(
                live.pid(), live.startTime() + 3))));
        Path outside = kernelFiles(mount.resolve("system.slice"));
        Path notDelegated = Files.createDirectory(outside.resolve(ContainerCgroup.leafName(dead)));
        Path base = Files.createDirectory(delegated.resolve(ContainerCgroup.leafName(dead)));
        Path unmounted = Files.createDirectories(tmp.resolve("elsewhere/x/" + ContainerCgroup.leafName(dead)));
        kernelFiles(unmounted.getParent());
        Path notACgroup = Files.createDirectories(delegated.resolve("plain/" + ContainerCgroup.leafName(dead)));

        List<Path> removed = collect(v2(), List.of(
                custom.resolve(ContainerCgroup.leafName(live)).toString(), // the recorded leaf itself may be gone
                notDelegated.toString(), base.toString(), unmounted.toString(), notACgroup.toString(),
                delegated + "/ci/../system.slice/" + ContainerCgroup.leafName(dead),
                mount.relativize(orphan).toString(), "", "/", "a\0b"));

        assertEquals(Set.of(orphan, neighbour), Set.copyOf(removed));
        assertTrue(Files.isDirectory(custom), "a --cgroup-parent is the user's, not isolate's to remove");
        for (Path kept : List.of(notDelegated, base, unmounted, notACgroup)) {
            assertTrue(Files.isDirectory(kept), "not below a parent of the caller's: " + kept);
        }
    }

    @Test
    void withoutADelegatedSubtreeNothingIsTouched() throws IOException {
        Path v1 = tmp.resolve("memory");
        Path orphan = Files.createDirectories(kernelFiles(v1).resolve("isolate/" + ContainerCgroup.leafName(dead)));
        Path undelegated = Files.createDirectories(delegated.resolve("isolate/" + ContainerCgroup.leafName(dead)));
        Hierarchies hierarchies = new Hierarchies(List.of(new Hierarchies.Hierarchy(v1, false, Set.of("memory"), "/"),
                new Hierarchies.Hierarchy(mount, true, Set.of("pids"), "/system.slice/sshd.service")));

        assertEquals(List.of(), collect(hierarchies, List.of(orphan.toString(), undelegated.toString())));
        assertTrue(Files.isDirectory(orphan), "cgroup v1 is root's");
        assertTrue(Files.isDirectory(undelegated), "not in the caller's cgroup: not shown to be the caller's");
    }

    @Test
    void aSubtreeOfAnotherUsersIsNotTheCallers() throws IOException {
        Path orphan = Files.createDirectories(delegated.resolve("isolate/" + ContainerCgroup.leafName(dead)));
        Caller other = new Caller(caller.uid() + 1, caller.gid(), "other", false, false);
        String otherService = "user.slice/user-" + other.uid() + ".slice/user@" + other.uid() + ".service";
        kernelFiles(mount.resolve(otherService)); // owned by the test's uid, not by other's
        Hierarchies hierarchies = new Hierarchies(List.of(new Hierarchies.Hierarchy(mount, true, Set.of("pids"),
                "/" + otherService + "/app.slice")));

        List<Path> removed = new ArrayList<>();
        OrphanCgroups.collect(other, hierarchies, List.of(orphan.toString()), removed::add);

        assertEquals(List.of(), removed);
        assertTrue(Files.isDirectory(orphan));
    }
}
