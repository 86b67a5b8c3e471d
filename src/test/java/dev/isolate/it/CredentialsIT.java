package dev.isolate.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.it.Isolate.Result;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * -S, -G and --group-add on the real kernel, as root; {@link RootlessCredentialsIT} runs it
 * again as nobody, whose automatic user namespace maps only uid and gid 0.
 */
class CredentialsIT {
    /** Prints who the command is: uid, gid, every group, HOME and the working directory. */
    private static final String[] WHO = {"sh", "-c", "id -u; id -g; id -G; echo $HOME; pwd"};

    Isolate isolate() {
        return Isolate.AS_ROOT;
    }

    boolean rootless() {
        return false;
    }

    @BeforeEach
    void root() {
        Privileged.requireRoot();
    }

    /**
     * The test's own busybox image, with a user alice (1000, primary group users) and a group
     * wheel; its /etc/passwd is an absolute link that must resolve inside the image.
     */
    private Path image() throws IOException {
        Path image = TestImages.fresh(rootless());
        Path etc = image.resolve("etc");
        Files.writeString(etc.resolve("passwd.real"), Files.readString(etc.resolve("passwd"))
                + "alice:x:1000:100:Alice:/home/alice:/bin/sh\n");
        Files.delete(etc.resolve("passwd"));
        Files.createSymbolicLink(etc.resolve("passwd"), Path.of("/etc/passwd.real"));
        Files.writeString(etc.resolve("group"), "wheel:x:10:\nusers:x:100:\n", java.nio.file.StandardOpenOption.APPEND);
        if (rootless()) {
            TestImages.run(List.of("chown", "-h", "65534:65534", etc.resolve("passwd").toString(),
                    etc.resolve("passwd.real").toString()));
        }
        return image;
    }

    private Result who(String... options) {
        List<String> args = new ArrayList<>(List.of(options));
        args.addAll(List.of(WHO));
        Result r = isolate().run(args.toArray(String[]::new));
        assertEquals("", r.err());
        assertEquals(0, r.exit());
        return r;
    }

    @Test
    void aUserOfTheHostsPasswdWithoutARoot() {
        if (rootless()) {
            // Root inside is nobody outside: uid 0 is the only one mapped.
            assertEquals("0\n0\n0\n/root\n/tmp\n", who("-U", "-S", "root").out());
            Result unprivileged = isolate().run("-S", "0", "true");
            assertEquals("isolate: -S, -G, --group-add: changing ids needs CAP_SETUID and CAP_SETGID: run isolate"
                    + " as root, or in a new user namespace (-U)\n", unprivileged.err());
            assertEquals(125, unprivileged.exit());
            return;
        }
        assertEquals("65534\n65534\n65534\n/nonexistent\n/tmp\n", who("-S", "nobody").out(),
                "the primary group from passwd, no other group, HOME from passwd");
        assertEquals("65534\n100\n100 10\n/srv\n/tmp\n",
                who("-S", "65534", "-G", "users", "--group-add", "10", "-e", "HOME=/srv").out());
        assertEquals("0\n100\n100\n/root\n/tmp\n", who("-G", "100", "-e", "HOME=/root").out(),
                "-G alone: groups cleared, uid kept");
    }

    @Test
    void aUserOfTheImagesPasswdThroughALinkThatStaysInside() throws IOException {
        Path image = image();
        if (rootless()) {
            assertEquals("0\n0\n0\n/root\n/\n", who("-R", image.toString(), "-S", "root").out());
            return;
        }
        assertEquals("1000\n100\n100\n/home/alice\n/\n", who("-R", image.toString(), "-S", "alice").out());
        assertEquals("1000\n10\n10 0 100\n/home/alice\n/root\n", who("-R", image.toString(), "-S", "alice",
                "-G", "wheel", "--group-add", "users", "--group-add", "root", "-w", "/root").out(),
                "the working directory is entered as root: alice may not enter /root, yet starts there");
        assertEquals("1000\n100\n100\n/home/alice\n/\n", who("-R", image.toString(), "--overlay", "-S", "alice").out());
    }

    @Test
    void unknownNamesAreOneLineAndLeaveNothingBehind() throws IOException {
        Result host = isolate().run("-S", "no-such-user", "true");
        assertEquals("isolate: -S no-such-user: no such user in /etc/passwd\n", host.err());
        assertEquals(125, host.exit());
        Path image = image();
        List<String> mounts = HostMounts.snapshot();
        Result inImage = isolate().run("-R", image.toString(), "--overlay", "-G", "no-such-group", "true");
        assertEquals("isolate: -G no-such-group: no such group in the container's /etc/group\n", inImage.err());
        assertEquals(125, inImage.exit());
        Result hostsName = isolate().run("-R", image.toString(), "-G", "sudo", "true");
        assertTrue(hostsName.err().startsWith("isolate: -G sudo: no such group in the container's"),
                "the image's group file, not the host's: " + hostsName.err());
        assertEquals(mounts, HostMounts.snapshot());
        assertEquals(0, ProcessHandle.current().children().count());
    }

    @Test
    void idsTheUserNamespaceDoesNotMapAreRefusedBeforeTheLaunch() throws IOException {
        Result r = isolate().run("-U", "-S", rootless() ? "1" : "1000", "true");
        assertEquals("isolate: -S " + (rootless() ? "1: uid 1" : "1000: uid 1000") + " is not mapped in the"
                + " container's user namespace, which maps uids 0 (see --map-users, --map-groups and --map-auto)\n",
                r.err());
        assertEquals(125, r.exit());
        Result named = isolate().run("-U", "-R", image().toString(), "-S", "alice", "true");
        assertTrue(named.err().startsWith("isolate: -S alice: uid 1000 is not mapped"), named.err());
        assertEquals(125, named.exit());
    }

    @Test
    void addingGroupsWhereSetgroupsIsDeniedIsRefused() {
        Result r = rootless() ? isolate().run("-p", "--group-add", "0", "true")
                : isolate().run("-U", "--setgroups", "deny", "--group-add", "0", "true");
        assertEquals(rootless()
                ? "isolate: --group-add: setgroups(2) is denied in the container's user namespace (the kernel's rule"
                        + " when an unprivileged caller maps only its own gid; map groups with --map-groups or --map-auto)\n"
                : "isolate: --group-add: setgroups(2) is denied in the container's user namespace (--setgroups deny)\n",
                r.err());
        assertEquals(125, r.exit());
    }

    @Test
    void verboseNamesThePathsTriedAndTheIdsTaken() {
        String user = rootless() ? "0" : "65534";
        // nobody changes ids only in a user namespace, where 0 is the one it has.
        String userns = rootless() ? "-U" : "-m";
        Result r = isolate().run("-v", userns, "-S", user, "-e", "PATH=/nowhere:/usr/bin:/bin", "true");
        assertEquals(0, r.exit(), r.err());
        for (String line : List.of("clear the supplementary groups", "become uid " + user,
                "set the parent-death signal again", "exec /nowhere/true", "exec /usr/bin/true", "exec /bin/true")) {
            assertEquals(rootless() && line.startsWith("clear"), !r.err().contains(line), line + " in\n" + r.err());
        }
        Result missing = isolate().run(userns, "-S", user, "-e", "PATH=/usr/bin:/bin", "no-such-command");
        assertEquals("isolate: exec \"no-such-command\": No such file or directory\n", missing.err());
        assertEquals(127, missing.exit());
    }

    @Test
    void theCommandStillDiesWithIsolateAfterItsIdsChanged() throws Exception {
        if (rootless()) {
            return; // one id mapped: no change of ids, so no parent-death signal to lose
        }
        Process isolate = isolate().start("-S", "65534", "sh", "-c", "echo $$; exec sleep 600");
        long command = Long.parseLong(Isolate.readLine(new BufferedReader(new InputStreamReader(isolate.getInputStream()))));
        try {
            assertTrue(LauncherIT.alive(command));
            Isolate.kill(isolate.pid(), "KILL");
            isolate.waitFor();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (LauncherIT.alive(command) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertFalse(LauncherIT.alive(command), "the command outlived isolate: its parent-death signal was lost");
            assertEquals(0, isolate().run("gc").exit(), "the killed isolate's cgroup is gc's to remove");
        } finally {
            if (LauncherIT.alive(command)) {
                Isolate.kill(command, "KILL"); // a stray would hold the test's pipe open
            }
        }
    }
}
