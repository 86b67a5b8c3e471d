package dev.isolate.host;

import dev.isolate.exit.Failure;
import dev.isolate.sys.SmallFiles;
import java.io.IOException;
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
        return fromStatus(status(), System.getProperty("user.name"));
    }

    /** /proc/self/status, whose lines say who this process is and what it may do. */
    static List<String> status() {
        try {
            return SmallFiles.lines(Path.of("/proc/self/status"));
        } catch (IOException e) {
            throw Failure.step("/proc/self/status: " + Failure.reason(e));
        }
    }

    static Caller fromStatus(List<String> status, String name) {
        long uid = -1;
        long gid = -1;
        long caps = 0;
        for (String line : status) {
            // "Uid:\t0\t0\t0\t0": the effective id is the second value.
            if (line.startsWith("Uid:")) {
                uid = Long.parseLong(field(line, 1));
            } else if (line.startsWith("Gid:")) {
                gid = Long.parseLong(field(line, 1));
            } else if (line.startsWith("CapEff:")) {
                caps = Long.parseUnsignedLong(field(line, 0), 16);
            }
        }
        if (uid < 0 || gid < 0) {
            throw new IllegalStateException("no Uid/Gid in /proc/self/status");
        }
        return new Caller(uid, gid, name, has(caps, CAP_SYS_ADMIN), has(caps, CAP_SETUID) && has(caps, CAP_SETGID));
    }

    /**
     * The {@code index}th value after a status line's key, values being separated by tabs or
     * spaces. Not String.split: its regex would be compiled again for every line of every start.
     */
    private static String field(String line, int index) {
        int at = line.indexOf(':') + 1;
        for (int i = 0; ; i++) {
            while (at < line.length() && Character.isWhitespace(line.charAt(at))) {
                at++;
            }
            int end = at;
            while (end < line.length() && !Character.isWhitespace(line.charAt(end))) {
                end++;
            }
            if (i == index || end == at) {
                return line.substring(at, end);
            }
            at = end;
        }
    }

    private static boolean has(long caps, int cap) {
        return (caps & (1L << cap)) != 0;
    }
}
