package dev.isolate.sys;

import dev.isolate.step.Call;

/** System call numbers on x86-64, the one architecture isolate supports so far. */
public enum Syscall {
    READ(0), WRITE(1), CLOSE(3), POLL(7), LSEEK(8), RT_SIGACTION(13), RT_SIGPROCMASK(14), IOCTL(16), PREAD64(17), MADVISE(28),
    GETPID(39), SOCKET(41), CONNECT(42), SENDTO(44), RECVFROM(45), SENDMSG(46), CLONE(56), EXECVE(59), WAIT4(61),
    KILL(62), FCNTL(72), CHDIR(80), FCHDIR(81), FCHOWN(93), UMASK(95), GETEUID(107),
    SETSID(112), SETGROUPS(116), SETRESUID(117), SETRESGID(119), CAPSET(126), PIVOT_ROOT(155), PRCTL(157),
    CHROOT(161), MOUNT(165), UMOUNT2(166), SETHOSTNAME(170), SETDOMAINNAME(171), GETTID(186), WAITID(247),
    OPENAT(257), MKDIRAT(258), MKNODAT(259), FCHOWNAT(260), SYMLINKAT(266), READLINKAT(267), UNSHARE(272), DUP3(292), PIPE2(293), PRLIMIT64(302),
    SETNS(308), RENAMEAT2(316), SECCOMP(317), GETRANDOM(318), MEMFD_CREATE(319),
    PIDFD_SEND_SIGNAL(424), OPEN_TREE(428), MOVE_MOUNT(429), FSOPEN(430), FSCONFIG(431), FSMOUNT(432),
    PIDFD_OPEN(434), CLOSE_RANGE(436),
    OPENAT2(437), PIDFD_GETFD(438), FACCESSAT2(439), MOUNT_SETATTR(442);

    private final long number;

    Syscall(long number) {
        this.number = number;
    }

    public long number() {
        return number;
    }

    /** The native call behind a planned child step. */
    public static Syscall of(Call call) {
        return valueOf(call.name());
    }
}
