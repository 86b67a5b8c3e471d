package dev.isolate;

import dev.isolate.spec.IdMapping;
import dev.isolate.spec.Network;
import dev.isolate.spec.NetworkMode;
import dev.isolate.userns.Caller;
import dev.isolate.userns.IdMapWriting;
import dev.isolate.userns.Subordinates;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Callers and host facts for tests that must not depend on who runs them. */
public final class Fixtures {
    public static final Caller ROOT = new Caller(0, 0, "root", true, true);
    public static final Caller USER = new Caller(1000, 1000, "alice", false, false);
    public static final IdMapWriting.Helpers NO_HELPERS = name -> Optional.empty();
    public static final IdMapWriting.Helpers HELPERS = name -> Optional.of("/usr/bin/" + name);
    public static final Subordinates NO_SUBORDINATES = subordinates(List.of(), List.of());

    /** The caller's network, as without any option. */
    public static final Network HOST_NETWORK = network(new NetworkMode.Shared());
    /** A new namespace with only lo, as -n gives. */
    public static final Network ISOLATED_NETWORK = network(new NetworkMode.Isolated());

    private Fixtures() {
    }

    /** A network of this mode with no settings. */
    public static Network network(NetworkMode mode) {
        return new Network(mode, Optional.empty(), Optional.empty(), List.of(), Optional.empty(), OptionalInt.empty(),
                List.of());
    }

    public static Subordinates subordinates(List<IdMapping> uids, List<IdMapping> gids) {
        return new Subordinates() {
            @Override
            public List<IdMapping> uids() {
                return uids;
            }

            @Override
            public List<IdMapping> gids() {
                return gids;
            }
        };
    }
}
