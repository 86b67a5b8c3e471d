package dev.isolate.host;

import dev.isolate.exit.Failure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Who runs isolate, as far as user namespaces care.
 *
 * @param uid        effective uid
 * @param gid        effective gid
 * @param name       user name, for /etc/subuid and /etc/subgid
 * @param canCreate  has CAP_SYS_ADMIN: may create the other namespaces without a user namespace
 * @param canMapAny  has CAP_SETUID and CAP_SETGID: may write any id map without helpers
 */
public record Caller(long uid, long gid, String name, boolean canCreate, boolean canMapAny) {
    private static final int CAP_SETGID = 6;
    private static final int CAP_SETUID = 7;
    private static final int CAP_SYS_ADMIN = 21;

    /**
     * Root with CAP_SYS_ADMIN: may change the host's network, whose state isolate keeps for
     * every container in root's runtime directory (a user of its own would keep a ledger of its
     * own, and two users could then hand out one address twice).
     */
    public boolean isRoot() {
        return uid == 0 && canCreate;
    }

    /** This process, from /proc/self/status. */
    public static Caller current() {
        try {
            return fromStatus(Files.readAllLines(Path.of("/proc/self/status")), System.getProperty("user.name"));
        } catch (IOException e) {
            throw Failure.step("/proc/self/status: " + Failure.reason(e));
        }
    }

    static Caller fromStatus(List<String> status, String name) {
        long uid = -1;
        long gid = -1;
        long caps = 0;
        for (String line : status) {
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "Uid:" -> uid = Long.parseLong(f[2]);
                case "Gid:" -> gid = Long.parseLong(f[2]);
                case "CapEff:" -> caps = Long.parseUnsignedLong(f[1], 16);
                default -> {
                }
            }
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalStateException("no Uid/Gid in /proc/self/status");
        }
        return new Caller(uid, gid, name, has(caps, CAP_SYS_ADMIN), has(caps, CAP_SETUID) && has(caps, CAP_SETGID));
    }

    private static boolean has(long caps, int cap) {
        return (caps & (1L << cap)) != 0;
    }
}
