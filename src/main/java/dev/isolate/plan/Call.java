package dev.isolate.plan;

/** The system calls a child program may make; numbers are the native layer's business. */
public enum Call {
    READ, WRITE, CLOSE, OPENAT, IOCTL, SOCKET, FCNTL, CLOSE_RANGE,
    RT_SIGACTION, RT_SIGPROCMASK, PRCTL,
    MOUNT, SETHOSTNAME, UNSHARE, CHDIR, EXECVE,
    OPENAT2, MKDIRAT, MKNODAT, SYMLINKAT, FCHDIR, PIVOT_ROOT, UMOUNT2,
    OPEN_TREE, MOVE_MOUNT, FSOPEN, FSCONFIG, FSMOUNT, MOUNT_SETATTR
}
