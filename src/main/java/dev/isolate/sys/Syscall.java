package dev.isolate.sys;

import dev.isolate.plan.Call;

/** System call numbers on x86-64, the one architecture isolate supports so far. */
public enum Syscall {
    READ(0), WRITE(1), CLOSE(3), RT_SIGACTION(13), RT_SIGPROCMASK(14), IOCTL(16),
    SOCKET(41), EXECVE(59), WAIT4(61), KILL(62), FCNTL(72), CHDIR(80),
    GETEUID(107), PRCTL(157), MOUNT(165), SETHOSTNAME(170), WAITID(247), OPENAT(257), UNSHARE(272),
    PIPE2(293), CLOSE_RANGE(436);

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
