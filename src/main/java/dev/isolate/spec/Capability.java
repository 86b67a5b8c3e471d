package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** A Linux capability, numbered as in linux/capability.h; the constant's order is its number. */
public enum Capability {
    CHOWN, DAC_OVERRIDE, DAC_READ_SEARCH, FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, LINUX_IMMUTABLE,
    NET_BIND_SERVICE, NET_BROADCAST, NET_ADMIN, NET_RAW, IPC_LOCK, IPC_OWNER, SYS_MODULE, SYS_RAWIO, SYS_CHROOT,
    SYS_PTRACE, SYS_PACCT, SYS_ADMIN, SYS_BOOT, SYS_NICE, SYS_RESOURCE, SYS_TIME, SYS_TTY_CONFIG, MKNOD, LEASE,
    AUDIT_WRITE, AUDIT_CONTROL, SETFCAP, MAC_OVERRIDE, MAC_ADMIN, SYSLOG, WAKE_ALARM, BLOCK_SUSPEND, AUDIT_READ,
    PERFMON, BPF, CHECKPOINT_RESTORE;

    /**
     * A contained container's set: docker's default without MKNOD, which docker can grant only
     * because its device cgroup stops a new node from being opened; isolate has no device cgroup.
     */
    public static final Set<Capability> CONTAINED = Collections.unmodifiableSet(EnumSet.of(CHOWN, DAC_OVERRIDE,
            FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW, SYS_CHROOT, AUDIT_WRITE,
            SETFCAP));

    /** The bit of this capability in a mask such as /proc/PID/status's CapEff. */
    public long bit() {
        return 1L << ordinal();
    }

    public static long mask(Set<Capability> capabilities) {
        long mask = 0;
        for (Capability capability : capabilities) {
            mask |= capability.bit();
        }
        return mask;
    }

    public static Set<Capability> ofMask(long mask) {
        Set<Capability> set = EnumSet.noneOf(Capability.class);
        for (Capability capability : values()) {
            if ((mask & capability.bit()) != 0) {
                set.add(capability);
            }
        }
        return set;
    }

    /** CAP_NAME or NAME, in any case, as docker takes them. */
    public static Capability parse(String option, String value) {
        String name = value.toUpperCase(Locale.ROOT);
        if (name.startsWith("CAP_")) {
            name = name.substring("CAP_".length());
        }
        for (Capability capability : values()) {
            if (capability.name().equals(name)) {
                return capability;
            }
        }
        String suggestion = Spelling.nearest(name, Arrays.stream(values()).map(Enum::name).toList())
                .map(near -> " (did you mean " + near + "?)").orElse("");
        throw Failure.input(option + " " + value + ": not a capability" + suggestion
                + "; see capabilities(7), or ALL");
    }

    /** As capabilities(7) names it. */
    @Override
    public String toString() {
        return "CAP_" + name();
    }
}
