package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.List;

/**
 * The id mappings of a new user namespace.
 *
 * @param uids      uid_map lines
 * @param gids      gid_map lines
 * @param setgroups whether setgroups(2) stays allowed inside; {@code null} means what the
 *                  kernel requires for the mapping (deny when an unprivileged caller maps
 *                  its own gid directly, allow otherwise)
 * @param automatic created because an unprivileged caller asked for other namespaces
 */
public record UserNamespace(List<IdMapping> uids, List<IdMapping> gids, Boolean setgroups, boolean automatic) {
    /** The kernel's limit on lines in one map (since Linux 4.15). */
    public static final int MAX_LINES = 340;
    /** The map is written in one write(2), which the kernel refuses from a page (4096 bytes on x86-64) on. */
    public static final int MAX_BYTES = 4095;

    public UserNamespace {
        uids = List.copyOf(uids);
        gids = List.copyOf(gids);
        requireValid("uid", uids);
        requireValid("gid", gids);
    }

    /** unshare -r: uid and gid 0 inside are the caller's. */
    public static UserNamespace rootMapping(long uid, long gid, boolean automatic) {
        return new UserNamespace(List.of(new IdMapping(0, uid, 1)), List.of(new IdMapping(0, gid, 1)), null,
                automatic);
    }

    private static void requireValid(String kind, List<IdMapping> map) {
        if (map.isEmpty()) {
            throw Failure.input(kind + " map: empty");
        }
        if (map.size() > MAX_LINES) {
            throw Failure.input(kind + " map: more than " + MAX_LINES + " ranges");
        }
        int bytes = map.stream().mapToInt(line -> line.toString().length() + 1).sum();
        if (bytes > MAX_BYTES) {
            throw Failure.input(kind + " map: " + bytes + " bytes as the kernel reads it, more than the " + MAX_BYTES
                    + " it takes (use fewer or wider ranges)");
        }
        for (int i = 0; i < map.size(); i++) {
            for (int j = i + 1; j < map.size(); j++) {
                IdMapping a = map.get(i);
                IdMapping b = map.get(j);
                if (a.innerOverlaps(b) || a.outerOverlaps(b)) {
                    throw Failure.input(kind + " ranges " + a.asOption() + " and " + b.asOption() + " overlap");
                }
            }
        }
    }
}
