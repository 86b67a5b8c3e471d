package dev.isolate.userns;

import dev.isolate.spec.IdMapping;
import java.util.List;

/** The ranges a user owns in /etc/subuid and /etc/subgid, read only when asked for. */
public interface Subordinates {
    List<IdMapping> uids();

    List<IdMapping> gids();

    static Subordinates of(Caller caller) {
        return new Subordinates() {
            @Override
            public List<IdMapping> uids() {
                return SubordinateIds.read(SubordinateIds.SUBUID, caller.name(), caller.uid());
            }

            @Override
            public List<IdMapping> gids() {
                return SubordinateIds.read(SubordinateIds.SUBGID, caller.name(), caller.uid());
            }
        };
    }
}
