package dev.isolate.dryrun;

import static dev.isolate.linux.Linux.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.ParentStep;
import dev.isolate.step.Slot;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Each call as strace prints it (the expected lines are strace 6.1's, from a traced launch). */
class StraceNotationTest {
    private static final Slot SLOT = new Slot(4);

    private static String render(Call call, Arg... args) {
        return StraceNotation.call(Step.of(call, Check.SUCCESS, "test", args), slot -> slot.equals(SLOT) ? 7 : null);
    }

    private static byte[] longs(long... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.nativeOrder());
        for (long value : values) {
            buffer.putLong(value);
        }
        return buffer.array();
    }

    @Test
    void handshakeAndSignals() {
        assertEquals("close(<report pipe, read end>)", render(Call.CLOSE, Arg.of(Handshake.End.REPORT_READ)));
        assertEquals("rt_sigaction(SIGRT_8, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, NULL, 8)",
                render(Call.RT_SIGACTION, Arg.of(40), new Arg.Bytes(new byte[SIGACTION_SIZE]), Arg.of(0), Arg.of(8)));
        assertEquals("rt_sigaction(SIGTERM, {sa_handler=0x1234, sa_mask=[INT TERM], sa_flags=SA_SIGINFO|SA_RESTORER"
                        + "|SA_RESTART, sa_restorer=0xabc}, NULL, 8)",
                render(Call.RT_SIGACTION, Arg.of(SIGTERM), new Arg.Bytes(longs(0x1234, SA_SIGINFO | SA_RESTORER
                        | SA_RESTART, 0xabc, (1L << (SIGINT - 1)) | (1L << (SIGTERM - 1)))), Arg.of(0), Arg.of(8)));
        assertEquals("rt_sigprocmask(SIG_SETMASK, [], NULL, 8)",
                render(Call.RT_SIGPROCMASK, Arg.of(SIG_SETMASK), new Arg.Bytes(new byte[8]), Arg.of(0), Arg.of(8)));
        assertEquals("rt_sigprocmask(SIG_SETMASK, ~[KILL STOP], NULL, 8)", render(Call.RT_SIGPROCMASK,
                Arg.of(SIG_SETMASK), new Arg.Bytes(longs(~((1L << 8) | (1L << 18)))), Arg.of(0), Arg.of(8)));
        assertEquals("prctl(PR_SET_PDEATHSIG, SIGKILL)", render(Call.PRCTL, Arg.of(PR_SET_PDEATHSIG), Arg.of(SIGKILL)));
        assertEquals("prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)",
                render(Call.PRCTL, Arg.of(38), Arg.of(1), Arg.of(0), Arg.of(0), Arg.of(0)));
        assertEquals("write(<report pipe, write end>, \"\\377\\377\\377\\377\\377\\377\\377\\377\", 8)",
                render(Call.WRITE, Arg.of(Handshake.End.REPORT_WRITE), new Arg.Bytes(longs(-1)), Arg.of(8)));
        assertEquals("read(<release pipe, read end>, buf, 1)",
                render(Call.READ, Arg.of(Handshake.End.RELEASE_READ), new Arg.Bytes(new byte[1]), Arg.of(1)));
    }

    @Test
    void mountsAndNamespaces() {
        assertEquals("mount(\"proc\", \"/proc\", \"proc\", MS_NOSUID|MS_NODEV|MS_NOEXEC, NULL)", render(Call.MOUNT,
                Arg.of("proc"), Arg.of("/proc"), Arg.of("proc"), Arg.of(MS_NOSUID | MS_NODEV | MS_NOEXEC), Arg.NULL));
        assertEquals("mount(NULL, \"/\", NULL, MS_REC|MS_PRIVATE, NULL)",
                render(Call.MOUNT, Arg.NULL, Arg.of("/"), Arg.NULL, Arg.of(MS_REC | MS_PRIVATE), Arg.NULL));
        assertEquals("sethostname(\"myhost\", 6)", render(Call.SETHOSTNAME, Arg.of("myhost"), Arg.of(6)));
        assertEquals("unshare(CLONE_NEWTIME)", render(Call.UNSHARE, Arg.of(CLONE_NEWTIME)));
        assertEquals("setns(9, CLONE_NEWNET)", render(Call.SETNS, Arg.of(9), Arg.of(CLONE_NEWNET)));
        assertEquals("setns(9, 0)", render(Call.SETNS, Arg.of(9), Arg.of(0)));
        assertEquals("umount2(\".\", MNT_DETACH)", render(Call.UMOUNT2, Arg.of("."), Arg.of(MNT_DETACH)));
        assertEquals("pivot_root(\".\", \".\")", render(Call.PIVOT_ROOT, Arg.of("."), Arg.of(".")));
        assertEquals("chroot(\".\")", render(Call.CHROOT, Arg.of(".")));
        assertEquals("chdir(\"/\")", render(Call.CHDIR, Arg.of("/")));
        assertEquals("fchdir(<fd of step 7>)", render(Call.FCHDIR, Arg.of(SLOT)));
        assertEquals("clone(child_stack=NULL, flags=CLONE_PARENT|SIGCHLD)", render(Call.CLONE,
                Arg.of(CLONE_PARENT | SIGCHLD), Arg.NULL, Arg.NULL, Arg.NULL, Arg.NULL));
    }

    @Test
    void theDescriptorBasedMountApi() {
        assertEquals("open_tree(AT_FDCWD, \"/dev/null\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC|AT_RECURSIVE)",
                render(Call.OPEN_TREE, Arg.of(AT_FDCWD), Arg.of("/dev/null"),
                        Arg.of(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)));
        assertEquals("mount_setattr(<fd of step 7>, \"\", AT_EMPTY_PATH|AT_RECURSIVE, {attr_set=MOUNT_ATTR_RDONLY,"
                        + " attr_clr=0, propagation=MS_PRIVATE, userns_fd=0}, 32)",
                render(Call.MOUNT_SETATTR, Arg.of(SLOT), Arg.of(""), Arg.of(AT_EMPTY_PATH | AT_RECURSIVE),
                        new Arg.Bytes(longs(MOUNT_ATTR_RDONLY, 0, MS_PRIVATE, 0)), Arg.of(MOUNT_ATTR_SIZE)));
        assertEquals("move_mount(<fd of step 7>, \"\", 16, \"\", MOVE_MOUNT_F_EMPTY_PATH|MOVE_MOUNT_T_EMPTY_PATH)",
                render(Call.MOVE_MOUNT, Arg.of(SLOT), Arg.of(""), Arg.of(16), Arg.of(""),
                        Arg.of(MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH)));
        assertEquals("fsopen(\"tmpfs\", FSOPEN_CLOEXEC)", render(Call.FSOPEN, Arg.of("tmpfs"), Arg.of(FSOPEN_CLOEXEC)));
        assertEquals("fsconfig(16, FSCONFIG_SET_STRING, \"source\", \"proc\", 0)", render(Call.FSCONFIG, Arg.of(16),
                Arg.of(FSCONFIG_SET_STRING), Arg.of("source"), Arg.of("proc"), Arg.of(0)));
        assertEquals("fsconfig(38, FSCONFIG_SET_FLAG, \"newinstance\", NULL, 0)", render(Call.FSCONFIG, Arg.of(38),
                Arg.of(FSCONFIG_SET_FLAG), Arg.of("newinstance"), Arg.NULL, Arg.of(0)));
        assertEquals("fsconfig(16, FSCONFIG_CMD_CREATE, NULL, NULL, 0)", render(Call.FSCONFIG, Arg.of(16),
                Arg.of(FSCONFIG_CMD_CREATE), Arg.NULL, Arg.NULL, Arg.of(0)));
        assertEquals("fsmount(16, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID|MOUNT_ATTR_NODEV|MOUNT_ATTR_NOEXEC)",
                render(Call.FSMOUNT, Arg.of(16), Arg.of(FSMOUNT_CLOEXEC),
                        Arg.of(MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)));
        assertEquals("fsmount(16, FSMOUNT_CLOEXEC, 0)", render(Call.FSMOUNT, Arg.of(16), Arg.of(1), Arg.of(0)));
    }

    @Test
    void pathsInsideTheRoot() {
        assertEquals("openat2(15, \"dev\", {flags=O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY, resolve=RESOLVE_NO_MAGICLINKS"
                        + "|RESOLVE_IN_ROOT}, 24)", render(Call.OPENAT2, Arg.of(15), Arg.of("dev"),
                new Arg.Bytes(longs(O_PATH | O_CLOEXEC | O_DIRECTORY, 0, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)),
                Arg.of(OPEN_HOW_SIZE)));
        assertEquals("openat(AT_FDCWD, \"/\", O_RDONLY|O_CLOEXEC|O_PATH|O_DIRECTORY)", render(Call.OPENAT,
                Arg.of(AT_FDCWD), Arg.of("/"), Arg.of(O_PATH | O_DIRECTORY | O_CLOEXEC)));
        assertEquals("openat(AT_FDCWD, \"/proc/self/timens_offsets\", O_WRONLY|O_CLOEXEC)", render(Call.OPENAT,
                Arg.of(AT_FDCWD), Arg.of("/proc/self/timens_offsets"), Arg.of(O_WRONLY | O_CLOEXEC)));
        assertEquals("openat(AT_FDCWD, \"f\", O_WRONLY|O_CREAT|O_CLOEXEC, 0644)", render(Call.OPENAT,
                Arg.of(AT_FDCWD), Arg.of("f"), Arg.of(O_WRONLY | 0100 | O_CLOEXEC), Arg.of(0644)));
        assertEquals("mkdirat(15, \"proc\", 0755)", render(Call.MKDIRAT, Arg.of(15), Arg.of("proc"), Arg.of(0755)));
        assertEquals("mknodat(21, \"null\", S_IFREG|0644)",
                render(Call.MKNODAT, Arg.of(21), Arg.of("null"), Arg.of(S_IFREG | 0644), Arg.of(0)));
        assertEquals("mknodat(21, \"null\", S_IFCHR|0666, makedev(0x1, 0x3))",
                render(Call.MKNODAT, Arg.of(21), Arg.of("null"), Arg.of(020000 | 0666), Arg.of((1 << 8) | 3)));
        assertEquals("symlinkat(\"/proc/self/fd\", <fd of step 7>, \"fd\")",
                render(Call.SYMLINKAT, Arg.of("/proc/self/fd"), Arg.of(SLOT), Arg.of("fd")));
    }

    @Test
    void networkDescriptorsAndExec() {
        assertEquals("socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC, IPPROTO_IP)",
                render(Call.SOCKET, Arg.of(AF_INET), Arg.of(SOCK_DGRAM | SOCK_CLOEXEC), Arg.of(0)));
        byte[] ifreq = new byte[IFREQ_SIZE];
        ifreq[0] = 'l';
        ifreq[1] = 'o';
        ByteBuffer.wrap(ifreq).order(ByteOrder.nativeOrder()).putShort(IFNAMSIZ,
                (short) (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
        assertEquals("ioctl(<fd of step 7>, SIOCSIFFLAGS, {ifr_name=\"lo\", ifr_flags=IFF_UP|IFF_LOOPBACK|IFF_RUNNING})",
                render(Call.IOCTL, Arg.of(SLOT), Arg.of(SIOCSIFFLAGS), new Arg.Bytes(ifreq)));
        assertEquals("close_range(3, 4294967295, CLOSE_RANGE_CLOEXEC)",
                render(Call.CLOSE_RANGE, Arg.of(3), Arg.of(0xFFFF_FFFFL), Arg.of(CLOSE_RANGE_CLOEXEC)));
        assertEquals("fcntl(10, F_SETFD, 0)", render(Call.FCNTL, Arg.of(10), Arg.of(F_SETFD), Arg.of(0)));
        assertEquals("fcntl(10, F_SETFD, FD_CLOEXEC)", render(Call.FCNTL, Arg.of(10), Arg.of(F_SETFD), Arg.of(1)));
        assertEquals("execve(\"/usr/bin/sh\", [\"sh\", \"-c\", \"echo \\\"hi\\\"\\n\"], /* 2 vars */)",
                render(Call.EXECVE, Arg.of("/usr/bin/sh"), new Arg.CStringArray(List.of("sh", "-c", "echo \"hi\"\n")),
                        new Arg.CStringArray(List.of("A=1", "B=2"))));
        assertEquals("write(<fd of step 7>, \"monotonic 5 0\\nboottime 0 0\\n\", 27)", render(Call.WRITE,
                Arg.of(SLOT), new Arg.Bytes("monotonic 5 0\nboottime 0 0\n".getBytes()), Arg.of(27)));
    }

    @Test
    void credentials() {
        assertEquals("setgroups(0, NULL)", render(Call.SETGROUPS, Arg.of(0), Arg.NULL));
        ByteBuffer gids = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(10).putInt(4242);
        assertEquals("setgroups(2, [10, 4242])", render(Call.SETGROUPS, Arg.of(2), new Arg.Bytes(gids.array())));
        assertEquals("setresgid(0, 0, 0)", render(Call.SETRESGID, Arg.of(0), Arg.of(0), Arg.of(0)));
        assertEquals("setresuid(1000, -1, -1)", render(Call.SETRESUID, Arg.of(1000), Arg.of(-1), Arg.of(-1)));
    }

    @Test
    void octalEscapesDoNotRunIntoDigits() {
        assertEquals("\"\\0011\\1\"", StraceNotation.quote(new byte[] {1, '1', 1}));
    }

    @Test
    void theGenericFormShowsEveryKindOfArgument() {
        assertEquals("10, \"s\", \"\\1\\2\", [\"a\", \"b\"], <fd of step 7>, <release pipe, write end>",
                StraceNotation.generic(List.of(Arg.of(10), Arg.of("s"), new Arg.Bytes(new byte[] {1, 2}),
                        new Arg.CStringArray(List.of("a", "b")), Arg.of(SLOT), Arg.of(Handshake.End.RELEASE_WRITE)),
                        slot -> 7));
        assertEquals("<fd in slot 4>", StraceNotation.generic(List.of(Arg.of(SLOT)), slot -> null));
    }

    /** Every call renders, whatever its arguments: a call added later shows through the generic form at least. */
    @Test
    void everyCallRendersWithAnyArguments() {
        Pattern shape = Pattern.compile("[a-z0-9_]+\\(.*\\)");
        List<List<Arg>> argumentSets = List.of(List.of(), List.of(Arg.of(SLOT), Arg.of("x"), Arg.NULL,
                new Arg.Bytes(new byte[3]), new Arg.CStringArray(List.of("a")), Arg.of(Handshake.End.REPORT_READ)),
                List.of(Arg.of(1), Arg.of(2), Arg.of(3), Arg.of(4), Arg.of(5), Arg.of(6)));
        for (Call call : Call.values()) {
            for (List<Arg> args : argumentSets) {
                String line = StraceNotation.call(new Step(call, args, Check.SUCCESS, java.util.Optional.empty(),
                        "t"), slot -> null);
                assertTrue(shape.matcher(line).matches(), line);
                assertTrue(line.startsWith(call.name().toLowerCase() + "("), line);
            }
        }
    }

    @Test
    void stepsNameTheStepThatSavedTheirDescriptor() {
        List<Step> steps = new ArrayList<>();
        steps.add(Step.of(Call.SOCKET, Check.SUCCESS, "s", Arg.of(AF_INET), Arg.of(SOCK_DGRAM), Arg.of(0))
                .savingIn(SLOT));
        steps.add(Step.of(Call.CLOSE, Check.SUCCESS, "c", Arg.of(SLOT)));
        steps.add(Step.of(Call.OPENAT, Check.SUCCESS, "o", Arg.of(AT_FDCWD), Arg.of("/"), Arg.of(0)).savingIn(SLOT));
        steps.add(Step.of(Call.CLOSE, Check.SUCCESS, "c", Arg.of(SLOT)));
        assertEquals(List.of("socket(AF_INET, SOCK_DGRAM, IPPROTO_IP)", "close(<fd of step 0>)",
                "openat(AT_FDCWD, \"/\", O_RDONLY)", "close(<fd of step 2>)"), StraceNotation.childSteps(steps));
    }

    @Test
    void cloneAndParentSteps() {
        LaunchPlan plan = new LaunchPlan(CLONE_NEWNS | CLONE_NEWUSER | SIGCHLD, true,
                List.of(Step.of(Call.EXECVE, Check.SUCCESS, "exec", Arg.of("/bin/true"),
                        new Arg.CStringArray(List.of("true")), new Arg.CStringArray(List.of()))), List.of());
        assertEquals("clone(child_stack=<the program's stack>, flags=CLONE_VM|CLONE_NEWNS|CLONE_NEWUSER|SIGCHLD)",
                StraceNotation.clone(plan));
        assertEquals("openat(AT_FDCWD, \"/proc/CHILD/uid_map\", O_WRONLY|O_CLOEXEC), write(<that fd>,"
                + " \"0 65534 1\\n\", 10), close(<that fd>)", StraceNotation.parentStep(
                new ParentStep.WriteProcFile("uid_map", "0 65534 1\n", "uid_map")));
        assertEquals("execve(\"/usr/bin/newuidmap\", [\"newuidmap\", \"CHILD\", \"0\", \"1000\", \"1\"],"
                + " <isolate's environment>)", StraceNotation.parentStep(new ParentStep.RunHelper(
                "/usr/bin/newuidmap", List.of("0", "1000", "1"), "uid map")));
        assertEquals("pidfd_getfd(pidfd_open(CHILD, 0), <report pipe, read end>, 0)", StraceNotation.parentStep(
                new ParentStep.TakeDescriptor(Handshake.End.REPORT_READ, "take the terminal's master")));
    }

    @Test
    void theTerminalsCalls() {
        assertEquals("openat(AT_FDCWD, \"/dev/ptmx\", O_RDWR|O_NOCTTY|O_CLOEXEC)", render(Call.OPENAT,
                Arg.of(AT_FDCWD), Arg.of("/dev/ptmx"), Arg.of(O_RDWR | O_NOCTTY | O_CLOEXEC)));
        assertEquals("ioctl(<fd of step 7>, TIOCSPTLCK, [0])",
                render(Call.IOCTL, Arg.of(SLOT), Arg.of(TIOCSPTLCK), new Arg.Bytes(new byte[4])));
        assertEquals("ioctl(<fd of step 7>, TIOCGPTPEER, O_RDWR|O_NOCTTY|O_CLOEXEC)",
                render(Call.IOCTL, Arg.of(SLOT), Arg.of(TIOCGPTPEER), Arg.of(O_RDWR | O_NOCTTY | O_CLOEXEC)));
        assertEquals("ioctl(<fd of step 7>, TIOCSCTTY, 0)", render(Call.IOCTL, Arg.of(SLOT), Arg.of(TIOCSCTTY), Arg.of(0)));
        assertEquals("fchown(<fd of step 7>, 65534, -1)",
                render(Call.FCHOWN, Arg.of(SLOT), Arg.of(65534), Arg.of(0xFFFF_FFFFL)));
        assertEquals("setsid()", render(Call.SETSID));
        assertEquals("dup3(<fd of step 7>, 2, 0)", render(Call.DUP3, Arg.of(SLOT), Arg.of(2), Arg.of(0)));
        assertEquals("dup3(<fd of step 7>, <report pipe, read end>, O_CLOEXEC)",
                render(Call.DUP3, Arg.of(SLOT), Arg.of(Handshake.End.REPORT_READ), Arg.of(O_CLOEXEC)));
    }

    @Test
    void seccompShowsTheProgramsLength() {
        assertEquals("seccomp(SECCOMP_SET_MODE_FILTER, 0, {len=2, filter=<2 BPF instructions>})",
                render(Call.SECCOMP, Arg.of(1), Arg.of(0), new Arg.Program(new dev.isolate.step.SocketFilter(
                        new byte[16]))));
    }
}
