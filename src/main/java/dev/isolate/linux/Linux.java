package dev.isolate.linux;

/** Linux ABI constants shared by every architecture isolate runs on. */
public final class Linux {
    private Linux() {
    }

    public static final long CLONE_NEWTIME = 0x00000080L;
    public static final long CLONE_VM = 0x00000100L;
    public static final long CLONE_PARENT = 0x00008000L;
    public static final long CLONE_NEWNS = 0x00020000L;
    public static final long CLONE_NEWCGROUP = 0x02000000L;
    public static final long CLONE_NEWUTS = 0x04000000L;
    public static final long CLONE_NEWIPC = 0x08000000L;
    public static final long CLONE_NEWUSER = 0x10000000L;
    public static final long CLONE_NEWPID = 0x20000000L;
    public static final long CLONE_NEWNET = 0x40000000L;

    public static final long MS_NOSUID = 0x2;
    public static final long MS_NODEV = 0x4;
    public static final long MS_NOEXEC = 0x8;
    public static final long MS_REC = 0x4000;
    public static final long MS_PRIVATE = 1 << 18;
    public static final long MS_SLAVE = 1 << 19;
    public static final long MS_SHARED = 1 << 20;
    public static final int MNT_DETACH = 2;

    /** open_tree(2), move_mount(2), fsopen(2) and friends: the fd-based mount API (Linux 5.2). */
    public static final int OPEN_TREE_CLONE = 1;
    public static final int OPEN_TREE_CLOEXEC = 02000000;
    public static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;
    public static final int MOVE_MOUNT_T_EMPTY_PATH = 0x40;
    public static final int FSOPEN_CLOEXEC = 1;
    public static final int FSMOUNT_CLOEXEC = 1;
    public static final int FSCONFIG_SET_FLAG = 0;
    public static final int FSCONFIG_SET_STRING = 1;
    public static final int FSCONFIG_CMD_CREATE = 6;
    public static final long MOUNT_ATTR_RDONLY = 0x1;
    public static final long MOUNT_ATTR_NOSUID = 0x2;
    public static final long MOUNT_ATTR_NODEV = 0x4;
    public static final long MOUNT_ATTR_NOEXEC = 0x8;
    /** The access-time rule: relatime is 0, the default; noatime and strictatime replace it. */
    public static final long MOUNT_ATTR_NOATIME = 0x10;
    public static final long MOUNT_ATTR_STRICTATIME = 0x20;
    public static final long MOUNT_ATTR_NODIRATIME = 0x80;
    /** sizeof(struct mount_attr), version 0: attr_set, attr_clr, propagation, userns_fd. */
    public static final int MOUNT_ATTR_SIZE = 32;
    public static final int AT_EMPTY_PATH = 0x1000;
    public static final int AT_RECURSIVE = 0x8000;

    /** openat2(2) (Linux 5.6): struct open_how is flags, mode, resolve. */
    public static final int OPEN_HOW_SIZE = 24;
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_IN_ROOT = 0x10;
    public static final int O_PATH = 010000000;
    public static final int O_NOFOLLOW = 0400000;
    public static final int O_DIRECTORY = 0200000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFCHR = 0020000;
    public static final int S_IFBLK = 0060000;
    public static final int S_IFIFO = 0010000;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;

    public static final int AT_FDCWD = -100;
    /** faccessat2(2): execute permission, judged with the effective ids, as execve judges it. */
    public static final int X_OK = 1;
    public static final int AT_EACCESS = 0x200;
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 01;
    public static final int O_CLOEXEC = 02000000;
    public static final int O_APPEND = 02000;
    public static final int O_RDWR = 02;
    public static final int O_NOCTTY = 0400;
    public static final int O_NONBLOCK = 04000;
    /** The longest path the kernel takes, with its NUL. */
    public static final int PATH_MAX = 4096;
    public static final int WNOHANG = 1;
    /** madvise(2): drop the range's page-table entries (a file page is read again from the page cache). */
    public static final int MADV_DONTNEED = 4;
    /** posix_spawnattr_setflags(3): the child calls setsid(), and sets the signal mask given (none). */
    public static final int POSIX_SPAWN_SETSID = 0x80;
    public static final int POSIX_SPAWN_SETSIGMASK = 0x08;
    public static final int F_SETFD = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;
    public static final int CLOSE_RANGE_CLOEXEC = 1 << 2;

    public static final int AF_INET = 2;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_CLOEXEC = O_CLOEXEC;
    public static final int SIOCSIFFLAGS = 0x8914;
    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;
    /** sizeof(struct ifreq): a 16-byte name, then a 24-byte union whose first member is the flags. */
    public static final int IFREQ_SIZE = 40;
    public static final int IFNAMSIZ = 16;

    /** Pseudo-terminals (asm-generic/ioctls.h): unlock the peer, open it from the master, its number. */
    public static final int TIOCSPTLCK = 0x40045431;
    public static final int TIOCGPTPEER = 0x5441;
    public static final long TIOCGPTN = 0x80045430L;
    public static final int TIOCSCTTY = 0x540E;
    public static final int TCGETS = 0x5401;
    public static final int TCSETS = 0x5402;
    public static final int TIOCGWINSZ = 0x5413;
    public static final int TIOCSWINSZ = 0x5414;
    /** sizeof(struct termios) as the kernel's TCGETS fills it: four flag words, c_line, 19 c_cc. */
    public static final int TERMIOS_SIZE = 36;
    /** Where c_cc starts in it, and the control characters isolate reads or sets. */
    public static final int TERMIOS_CC = 17;
    public static final int VTIME = 5;
    public static final int VMIN = 6;
    public static final int VEOF = 4;
    /** termios flags that cfmakeraw(3) clears or sets, by flag word. */
    public static final int IGNBRK = 01;
    public static final int BRKINT = 02;
    public static final int PARMRK = 010;
    public static final int ISTRIP = 040;
    public static final int INLCR = 0100;
    public static final int IGNCR = 0200;
    public static final int ICRNL = 0400;
    public static final int IXON = 02000;
    public static final int OPOST = 01;
    public static final int ISIG = 01;
    public static final int ICANON = 02;
    public static final int ECHO = 010;
    public static final int ECHONL = 0100;
    public static final int IEXTEN = 0100000;
    public static final int CSIZE = 060;
    public static final int PARENB = 0400;
    public static final int CS8 = 060;
    /** sizeof(struct winsize): rows, columns and two unused pixel sizes, 16 bits each. */
    public static final int WINSIZE_SIZE = 8;

    /** poll(2): struct pollfd is fd, events, revents (8 bytes). */
    public static final int POLLFD_SIZE = 8;
    public static final short POLLIN = 0x1;
    public static final short POLLOUT = 0x4;
    public static final short POLLERR = 0x8;
    public static final short POLLHUP = 0x10;

    public static final int PR_SET_PDEATHSIG = 1;
    public static final int PR_CAPBSET_DROP = 24;
    public static final int PR_SET_NO_NEW_PRIVS = 38;
    public static final int PR_CAP_AMBIENT = 47;
    public static final int PR_CAP_AMBIENT_CLEAR_ALL = 4;
    public static final int PR_CAP_AMBIENT_RAISE = 2;
    public static final int PR_SET_KEEPCAPS = 8;
    /** capset(2): struct __user_cap_header_struct (version, pid), then two words of three sets. */
    public static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;
    public static final int CAP_HEADER_SIZE = 8;
    public static final int CAP_DATA_SIZE = 24;
    /** seccomp(2): install a classic BPF program, given as a struct sock_fprog. */
    public static final int SECCOMP_SET_MODE_FILTER = 1;
    /** sizeof(struct sock_fprog): an unsigned short length, padding to 8, the instructions' address. */
    public static final int SOCK_FPROG_SIZE = 16;
    public static final int MFD_CLOEXEC = 1;
    public static final int SIG_SETMASK = 2;
    /** sizeof(kernel sigset_t): 64 signals. */
    public static final int SIGSET_SIZE = 8;
    /** sizeof(struct kernel_sigaction) on x86-64 and arm64: handler, flags, restorer, mask. */
    public static final int SIGACTION_SIZE = 32;
    public static final long SA_SIGINFO = 0x4;
    public static final long SA_RESTORER = 0x04000000L;
    public static final long SA_RESTART = 0x10000000L;
    public static final int NSIG = 64;

    public static final int SIGHUP = 1;
    public static final int SIGINT = 2;
    public static final int SIGQUIT = 3;
    public static final int SIGKILL = 9;
    public static final int SIGUSR1 = 10;
    public static final int SIGUSR2 = 12;
    public static final int SIGTERM = 15;
    public static final int SIGCHLD = 17;
    public static final int SIGCONT = 18;
    public static final int SIGSTOP = 19;
    public static final int SIGWINCH = 28;

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int EAGAIN = 11;
    public static final int EACCES = 13;
    public static final int ENOTDIR = 20;
    public static final int EEXIST = 17;
    public static final int ENOSPC = 28;

    public static final int P_PID = 1;
    public static final int WEXITED = 4;
    public static final int WNOWAIT = 0x01000000;

    /**
     * The OCI runtime's state directory: the per-container lock, a POSIX record lock
     * (fcntl F_SETLKW with a struct flock of 32 bytes: type, whence, start, length, pid), and atomic claims.
     */
    public static final int F_SETLKW = 7;
    public static final short F_WRLCK = 1;
    public static final int FLOCK_SIZE = 32;
    public static final int RENAME_NOREPLACE = 1;
    public static final int ENXIO = 6;
    public static final int ENOTEMPTY = 39;

    /** rtnetlink: a NETLINK_ROUTE socket, and the header of its messages (struct nlmsghdr). */
    public static final int AF_NETLINK = 16;
    public static final int SOCK_RAW = 3;
    public static final int NETLINK_ROUTE = 0;
    public static final int NLMSG_HDRLEN = 16;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_ACK = 0x4;
    public static final int NLM_F_EXCL = 0x200;
    public static final int NLM_F_CREATE = 0x400;
    public static final int NLM_F_DUMP = 0x300;
    public static final int ENODEV = 19;
    public static final int EPROTO = 71;
    public static final int EMSGSIZE = 90;

    /** --console-socket: a stream socket of the AF_UNIX family, and a descriptor passed in an SCM_RIGHTS message. */
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOL_SOCKET = 1;
    public static final int SCM_RIGHTS = 1;
    /** sizeof(struct sockaddr_un): the family (2 bytes), then a path of up to 107 bytes and its NUL. */
    public static final int SOCKADDR_UN_SIZE = 110;
    /** sizeof(struct msghdr), of struct iovec, and of a cmsghdr carrying one int (CMSG_SPACE(4)). */
    public static final int MSGHDR_SIZE = 56;
    public static final int IOVEC_SIZE = 16;
    public static final int CMSG_ONE_FD_SPACE = 24;
    public static final int CMSG_ONE_FD_LEN = 20;
}
