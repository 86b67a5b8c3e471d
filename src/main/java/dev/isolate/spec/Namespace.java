package dev.isolate.spec;

/** A namespace type isolate can create, with its name under /proc/PID/ns. */
public enum Namespace {
    USER("user"),
    MOUNT("mnt"),
    UTS("uts"),
    IPC("ipc"),
    PID("pid"),
    NET("net"),
    CGROUP("cgroup"),
    TIME("time");

    private final String procName;

    Namespace(String procName) {
        this.procName = procName;
    }

    /** The entry's name in /proc/PID/ns. */
    public String procName() {
        return procName;
    }
}
