package dev.isolate.host;

import dev.isolate.spec.IdMapping;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the caller may map ids beyond its own: its ranges in /etc/subuid and /etc/subgid, and
 * the setuid helpers that write such maps. Looked up at the first question, since most
 * launches ask none (root, or no user namespace with ranges): two files read and two PATH
 * walks saved from every other start.
 */
public final class SubordinateMapping {
    private final String user;
    private final long uid;
    private final Map<String, String> environment;
    private List<IdMapping> uids;
    private List<IdMapping> gids;
    private Optional<String> newuidmap;
    private Optional<String> newgidmap;

    private SubordinateMapping(String user, long uid, Map<String, String> environment) {
        this.user = user;
        this.uid = uid;
        this.environment = environment;
    }

    /** This caller's, looked up in the files and on the PATH of {@code environment} (byte strings) when asked. */
    public static SubordinateMapping of(Caller caller, Map<String, String> environment) {
        return new SubordinateMapping(caller.name(), caller.uid(), Map.copyOf(environment));
    }

    /** Ranges and helpers already known. */
    public static SubordinateMapping known(List<IdMapping> uids, List<IdMapping> gids, Optional<String> newuidmap,
            Optional<String> newgidmap) {
        SubordinateMapping known = new SubordinateMapping(null, -1, Map.of());
        known.uids = List.copyOf(uids);
        known.gids = List.copyOf(gids);
        known.newuidmap = newuidmap;
        known.newgidmap = newgidmap;
        return known;
    }

    /** The caller's ranges in /etc/subuid. */
    public synchronized List<IdMapping> uids() {
        if (uids == null) {
            uids = List.copyOf(SubordinateIds.read(SubordinateIds.SUBUID, user, uid));
        }
        return uids;
    }

    /** The caller's ranges in /etc/subgid. */
    public synchronized List<IdMapping> gids() {
        if (gids == null) {
            gids = List.copyOf(SubordinateIds.read(SubordinateIds.SUBGID, user, uid));
        }
        return gids;
    }

    /** The setuid helper that writes uid maps of subordinate ids, if installed. */
    public synchronized Optional<String> newuidmap() {
        if (newuidmap == null) {
            newuidmap = Programs.onPath("newuidmap", environment);
        }
        return newuidmap;
    }

    /** The same for gid maps. */
    public synchronized Optional<String> newgidmap() {
        if (newgidmap == null) {
            newgidmap = Programs.onPath("newgidmap", environment);
        }
        return newgidmap;
    }
}
