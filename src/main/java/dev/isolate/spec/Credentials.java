package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The ids the command runs with, as numbers: {@link RunAs} with its names looked up.
 *
 * @param uid    the uid to become; empty keeps the one the container starts with
 * @param gid    the gid to become (from -G, or the user's primary group in passwd); empty keeps it
 * @param groups the supplementary groups, in order: empty clears them
 * @param home   HOME for the command: the user's home directory in passwd ("/" for a uid that
 *               has none, as docker does), when {@link RunAs#setsHome}
 */
public record Credentials(OptionalLong uid, OptionalLong gid, List<Long> groups, Optional<String> home) {
    public Credentials {
        groups = List.copyOf(groups);
        uid.ifPresent(id -> requireId("uid", id));
        gid.ifPresent(id -> requireId("gid", id));
        groups.forEach(id -> requireId("gid", id));
        home.ifPresent(dir -> CStrings.requireNoNul("home directory", dir));
    }

    private static void requireId(String kind, long id) {
        if (id < 0 || id >= IdMapping.ID_LIMIT) {
            throw Failure.input(kind + " " + id + ": ids are below " + IdMapping.ID_LIMIT);
        }
    }
}
