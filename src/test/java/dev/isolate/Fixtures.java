package dev.isolate;

import dev.isolate.spec.IdMapping;
import dev.isolate.userns.Caller;
import dev.isolate.userns.IdMapWriting;
import dev.isolate.userns.Subordinates;
import java.util.List;
import java.util.Optional;

/** Callers and host facts for tests that must not depend on who runs them. */
public final class Fixtures {
    public static final Caller ROOT = new Caller(0, 0, "root", true, true);
    public static final Caller USER = new Caller(1000, 1000, "alice", false, false);
    public static final IdMapWriting.Helpers NO_HELPERS = name -> Optional.empty();
    public static final IdMapWriting.Helpers HELPERS = name -> Optional.of("/usr/bin/" + name);
    public static final Subordinates NO_SUBORDINATES = subordinates(List.of(), List.of());

    private Fixtures() {
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
