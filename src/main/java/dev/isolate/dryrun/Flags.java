package dev.isolate.dryrun;

import java.util.ArrayList;
import java.util.List;

/**
 * Symbolic names of the kernel's flag words and enumerations, in the order strace prints
 * them: what a bit set holds by name, then what is left as a number.
 */
final class Flags {
    private Flags() {
    }

    /** A name for a value or bit; a zero-valued name is printed only when the whole word is zero. */
    record Name(long value, String name) {
    }

    static Name name(long value, String name) {
        return new Name(value, name);
    }

    static final List<Name> CLONE = List.of(
            name(0x00000100, "CLONE_VM"), name(0x00000200, "CLONE_FS"), name(0x00000400, "CLONE_FILES"),
            name(0x00000800, "CLONE_SIGHAND"), name(0x00001000, "CLONE_PIDFD"), name(0x00002000, "CLONE_PTRACE"),
            name(0x00004000, "CLONE_VFORK"), name(0x00008000, "CLONE_PARENT"), name(0x00010000, "CLONE_THREAD"),
            name(0x00020000, "CLONE_NEWNS"), name(0x00040000, "CLONE_SYSVSEM"), name(0x00080000, "CLONE_SETTLS"),
            name(0x00100000, "CLONE_PARENT_SETTID"), name(0x00200000, "CLONE_CHILD_CLEARTID"),
            name(0x00400000, "CLONE_DETACHED"), name(0x00800000, "CLONE_UNTRACED"),
            name(0x01000000, "CLONE_CHILD_SETTID"), name(0x02000000, "CLONE_NEWCGROUP"),
            name(0x04000000, "CLONE_NEWUTS"), name(0x08000000, "CLONE_NEWIPC"), name(0x10000000, "CLONE_NEWUSER"),
            name(0x20000000, "CLONE_NEWPID"), name(0x40000000, "CLONE_NEWNET"), name(0x80000000L, "CLONE_IO"));

    /** unshare(2) and setns(2) take the namespace bits, and CLONE_NEWTIME, which clone() has no room for. */
    static final List<Name> NAMESPACES = List.of(name(0x00000080, "CLONE_NEWTIME"), name(0x00000200, "CLONE_FS"),
            name(0x00000400, "CLONE_FILES"), name(0x00020000, "CLONE_NEWNS"), name(0x00040000, "CLONE_SYSVSEM"),
            name(0x02000000, "CLONE_NEWCGROUP"), name(0x04000000, "CLONE_NEWUTS"), name(0x08000000, "CLONE_NEWIPC"),
            name(0x10000000, "CLONE_NEWUSER"), name(0x20000000, "CLONE_NEWPID"), name(0x40000000, "CLONE_NEWNET"));

    static final List<Name> MOUNT = List.of(
            name(1, "MS_RDONLY"), name(2, "MS_NOSUID"), name(4, "MS_NODEV"), name(8, "MS_NOEXEC"),
            name(16, "MS_SYNCHRONOUS"), name(32, "MS_REMOUNT"), name(64, "MS_MANDLOCK"), name(128, "MS_DIRSYNC"),
            name(256, "MS_NOSYMFOLLOW"), name(1024, "MS_NOATIME"), name(2048, "MS_NODIRATIME"), name(4096, "MS_BIND"),
            name(8192, "MS_MOVE"), name(16384, "MS_REC"), name(32768, "MS_SILENT"), name(1 << 16, "MS_POSIXACL"),
            name(1 << 17, "MS_UNBINDABLE"), name(1 << 18, "MS_PRIVATE"), name(1 << 19, "MS_SLAVE"),
            name(1 << 20, "MS_SHARED"), name(1 << 21, "MS_RELATIME"), name(1 << 22, "MS_KERNMOUNT"),
            name(1 << 23, "MS_I_VERSION"), name(1 << 24, "MS_STRICTATIME"), name(1 << 25, "MS_LAZYTIME"));

    static final List<Name> UMOUNT = List.of(name(1, "MNT_FORCE"), name(2, "MNT_DETACH"), name(4, "MNT_EXPIRE"),
            name(8, "UMOUNT_NOFOLLOW"));

    /** open(2)'s flags after the access mode, in strace's order. */
    static final List<Name> OPEN = List.of(
            name(0100, "O_CREAT"), name(0200, "O_EXCL"), name(0400, "O_NOCTTY"), name(01000, "O_TRUNC"),
            name(02000, "O_APPEND"), name(04000, "O_NONBLOCK"), name(04010000, "O_SYNC"), name(010000, "O_DSYNC"),
            name(020000, "O_ASYNC"), name(040000, "O_DIRECT"), name(0100000, "O_LARGEFILE"),
            name(0400000, "O_NOFOLLOW"), name(01000000, "O_NOATIME"), name(02000000, "O_CLOEXEC"),
            name(010000000, "O_PATH"), name(020200000, "O_TMPFILE"), name(0200000, "O_DIRECTORY"));

    static final List<Name> OPEN_TREE = List.of(name(1, "OPEN_TREE_CLONE"), name(02000000, "OPEN_TREE_CLOEXEC"),
            name(0x100, "AT_SYMLINK_NOFOLLOW"), name(0x800, "AT_NO_AUTOMOUNT"), name(0x1000, "AT_EMPTY_PATH"),
            name(0x8000, "AT_RECURSIVE"));

    static final List<Name> AT = List.of(name(0x100, "AT_SYMLINK_NOFOLLOW"), name(0x200, "AT_REMOVEDIR"),
            name(0x400, "AT_SYMLINK_FOLLOW"), name(0x800, "AT_NO_AUTOMOUNT"), name(0x1000, "AT_EMPTY_PATH"),
            name(0x8000, "AT_RECURSIVE"));

    static final List<Name> MOVE_MOUNT = List.of(name(0x1, "MOVE_MOUNT_F_SYMLINKS"),
            name(0x2, "MOVE_MOUNT_F_AUTOMOUNTS"), name(0x4, "MOVE_MOUNT_F_EMPTY_PATH"),
            name(0x10, "MOVE_MOUNT_T_SYMLINKS"), name(0x20, "MOVE_MOUNT_T_AUTOMOUNTS"),
            name(0x40, "MOVE_MOUNT_T_EMPTY_PATH"), name(0x100, "MOVE_MOUNT_SET_GROUP"),
            name(0x200, "MOVE_MOUNT_BENEATH"));

    static final List<Name> FSOPEN = List.of(name(1, "FSOPEN_CLOEXEC"));
    static final List<Name> FSMOUNT = List.of(name(1, "FSMOUNT_CLOEXEC"));

    static final List<Name> FSCONFIG = List.of(name(0, "FSCONFIG_SET_FLAG"), name(1, "FSCONFIG_SET_STRING"),
            name(2, "FSCONFIG_SET_BINARY"), name(3, "FSCONFIG_SET_PATH"), name(4, "FSCONFIG_SET_PATH_EMPTY"),
            name(5, "FSCONFIG_SET_FD"), name(6, "FSCONFIG_CMD_CREATE"), name(7, "FSCONFIG_CMD_RECONFIGURE"),
            name(8, "FSCONFIG_CMD_CREATE_EXCL"));

    static final List<Name> MOUNT_ATTR = List.of(name(0x1, "MOUNT_ATTR_RDONLY"), name(0x2, "MOUNT_ATTR_NOSUID"),
            name(0x4, "MOUNT_ATTR_NODEV"), name(0x8, "MOUNT_ATTR_NOEXEC"), name(0x10, "MOUNT_ATTR_NOATIME"),
            name(0x20, "MOUNT_ATTR_STRICTATIME"), name(0x80, "MOUNT_ATTR_NODIRATIME"),
            name(0x100000, "MOUNT_ATTR_IDMAP"), name(0x200000, "MOUNT_ATTR_NOSYMFOLLOW"));

    static final List<Name> PROPAGATION = List.of(name(1 << 17, "MS_UNBINDABLE"), name(1 << 18, "MS_PRIVATE"),
            name(1 << 19, "MS_SLAVE"), name(1 << 20, "MS_SHARED"));

    static final List<Name> RESOLVE = List.of(name(0x01, "RESOLVE_NO_XDEV"), name(0x02, "RESOLVE_NO_MAGICLINKS"),
            name(0x04, "RESOLVE_NO_SYMLINKS"), name(0x08, "RESOLVE_BENEATH"), name(0x10, "RESOLVE_IN_ROOT"),
            name(0x20, "RESOLVE_CACHED"));

    static final List<Name> CLOSE_RANGE = List.of(name(1 << 1, "CLOSE_RANGE_UNSHARE"),
            name(1 << 2, "CLOSE_RANGE_CLOEXEC"));

    static final List<Name> SIGACTION = List.of(name(0x1, "SA_NOCLDSTOP"), name(0x2, "SA_NOCLDWAIT"),
            name(0x4, "SA_SIGINFO"), name(0x04000000L, "SA_RESTORER"), name(0x08000000L, "SA_ONSTACK"),
            name(0x10000000L, "SA_RESTART"), name(0x40000000L, "SA_NODEFER"), name(0x80000000L, "SA_RESETHAND"));

    static final List<Name> IFF = List.of(name(0x1, "IFF_UP"), name(0x2, "IFF_BROADCAST"), name(0x4, "IFF_DEBUG"),
            name(0x8, "IFF_LOOPBACK"), name(0x10, "IFF_POINTOPOINT"), name(0x20, "IFF_NOTRAILERS"),
            name(0x40, "IFF_RUNNING"), name(0x80, "IFF_NOARP"), name(0x100, "IFF_PROMISC"),
            name(0x200, "IFF_ALLMULTI"), name(0x1000, "IFF_MULTICAST"));

    static final List<Name> SOCK_TYPE = List.of(name(1, "SOCK_STREAM"), name(2, "SOCK_DGRAM"), name(3, "SOCK_RAW"),
            name(5, "SOCK_SEQPACKET"));
    static final List<Name> SOCK_FLAGS = List.of(name(04000, "SOCK_NONBLOCK"), name(02000000, "SOCK_CLOEXEC"));
    static final List<Name> ADDRESS_FAMILY = List.of(name(1, "AF_UNIX"), name(2, "AF_INET"), name(10, "AF_INET6"),
            name(16, "AF_NETLINK"), name(17, "AF_PACKET"));
    static final List<Name> INET_PROTOCOL = List.of(name(0, "IPPROTO_IP"), name(6, "IPPROTO_TCP"),
            name(17, "IPPROTO_UDP"));

    static final List<Name> SIGPROCMASK_HOW = List.of(name(0, "SIG_BLOCK"), name(1, "SIG_UNBLOCK"),
            name(2, "SIG_SETMASK"));

    static final List<Name> FCNTL = List.of(name(0, "F_DUPFD"), name(1, "F_GETFD"), name(2, "F_SETFD"),
            name(3, "F_GETFL"), name(4, "F_SETFL"), name(1030, "F_DUPFD_CLOEXEC"));

    static final List<Name> IOCTL = List.of(name(0x8913, "SIOCGIFFLAGS"), name(0x8914, "SIOCSIFFLAGS"),
            name(0x5412, "TIOCSTI"), name(0x540E, "TIOCSCTTY"), name(0x5422, "TIOCNOTTY"),
            name(0x40045431, "TIOCSPTLCK"), name(0x5441, "TIOCGPTPEER"), name(0x80045430L, "TIOCGPTN"),
            name(0x5401, "TCGETS"), name(0x5402, "TCSETS"), name(0x5413, "TIOCGWINSZ"), name(0x5414, "TIOCSWINSZ"));

    /** dup3(2)'s one flag. */
    static final List<Name> DUP3 = List.of(name(02000000, "O_CLOEXEC"));

    static final List<Name> SECCOMP = List.of(name(0, "SECCOMP_SET_MODE_STRICT"), name(1, "SECCOMP_SET_MODE_FILTER"),
            name(2, "SECCOMP_GET_ACTION_AVAIL"), name(3, "SECCOMP_GET_NOTIF_SIZES"));

    static final List<Name> PRCTL = List.of(name(1, "PR_SET_PDEATHSIG"), name(2, "PR_GET_PDEATHSIG"),
            name(3, "PR_GET_DUMPABLE"), name(4, "PR_SET_DUMPABLE"), name(8, "PR_SET_KEEPCAPS"),
            name(15, "PR_SET_NAME"), name(16, "PR_GET_NAME"), name(22, "PR_SET_SECCOMP"),
            name(23, "PR_CAPBSET_READ"), name(24, "PR_CAPBSET_DROP"), name(27, "PR_GET_SECUREBITS"),
            name(28, "PR_SET_SECUREBITS"), name(36, "PR_SET_CHILD_SUBREAPER"), name(38, "PR_SET_NO_NEW_PRIVS"),
            name(39, "PR_GET_NO_NEW_PRIVS"), name(47, "PR_CAP_AMBIENT"));

    static final List<Name> FILE_TYPE = List.of(name(0140000, "S_IFSOCK"), name(0120000, "S_IFLNK"),
            name(0100000, "S_IFREG"), name(060000, "S_IFBLK"), name(040000, "S_IFDIR"), name(020000, "S_IFCHR"),
            name(010000, "S_IFIFO"));

    private static final String[] SIGNALS = {"0", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
        "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
        "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ",
        "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"};
    private static final int SIGRTMIN = 32;
    private static final int NSIG = 64;

    /** A signal by its name, as strace names the real-time ones: SIGRTMIN, SIGRT_1... */
    static String signal(long number) {
        if (number > 0 && number < SIGNALS.length) {
            return SIGNALS[(int) number];
        }
        if (number == SIGRTMIN) {
            return "SIGRTMIN";
        }
        if (number > SIGRTMIN && number <= NSIG) {
            return "SIGRT_" + (number - SIGRTMIN);
        }
        return Long.toString(number);
    }

    /** The bits by name, joined by '|'; bits without a name as hex; 0 when none is set. */
    static String bits(long value, List<Name> names) {
        List<String> parts = new ArrayList<>();
        long left = value;
        for (Name name : names) {
            if (name.value() != 0 && (left & name.value()) == name.value()) {
                parts.add(name.name());
                left &= ~name.value();
            }
        }
        if (left != 0) {
            parts.add("0x" + Long.toHexString(left));
        }
        return parts.isEmpty() ? "0" : String.join("|", parts);
    }

    /** One value by its name, or as a number. */
    static String one(long value, List<Name> names) {
        for (Name name : names) {
            if (name.value() == value) {
                return name.name();
            }
        }
        return Long.toString(value);
    }

    /** open(2)'s flags: the access mode, always, then the other bits. */
    static String open(long flags) {
        String mode = switch ((int) (flags & 3)) {
            case 0 -> "O_RDONLY";
            case 1 -> "O_WRONLY";
            case 2 -> "O_RDWR";
            default -> "O_ACCMODE";
        };
        long rest = flags & ~3L;
        return rest == 0 ? mode : mode + "|" + bits(rest, OPEN);
    }

    /** clone()'s flags: the namespace and sharing bits, then the exit signal in the low byte. */
    static String clone(long flags) {
        long signal = flags & 0xff;
        String bits = bits(flags & ~0xffL, CLONE);
        if (signal == 0) {
            return bits;
        }
        return (bits.equals("0") ? "" : bits + "|") + signal(signal);
    }

    /** A mode with its file type, as strace shows mknod's: S_IFREG|0644. */
    static String fileMode(long mode) {
        long type = mode & 0170000;
        String permissions = String.format("%04o", mode & 07777);
        return type == 0 ? permissions : one(type, FILE_TYPE) + "|" + permissions;
    }
}
