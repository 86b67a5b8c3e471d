package dev.isolate.cli;

import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.spec.IdMapping;
import dev.isolate.spec.UserNamespace;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The user-namespace options as given: -U, -r, --map-user, --map-group, --map-users,
 * --map-groups, --map-auto, --setgroups, --no-user-auto.
 *
 * <p>Each map holds the caller's own id (at 0, or at --map-user/--map-group) unless only
 * ranges of that kind were given: then it is exactly those ranges, as unshare does.
 * --map-auto maps, like rootless podman, 0 to the caller and 1.. to the first range the
 * caller owns in /etc/subuid and /etc/subgid.
 */
record MappingRequest(boolean user, boolean mapRoot, Long mapUser, Long mapGroup, List<IdMapping> users,
        List<IdMapping> groups, boolean auto, Boolean setgroups, boolean noAuto) {

    public MappingRequest {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }

    static MappingRequest none() {
        return new MappingRequest(false, false, null, null, List.of(), List.of(), false, null, false);
    }

    /** Whether any option asks for a user namespace. */
    boolean wanted() {
        return user || mapRoot || mapUser != null || mapGroup != null || !users.isEmpty() || !groups.isEmpty()
                || auto || setgroups != null;
    }

    /**
     * @param othersRequested other namespace types were asked for: an unprivileged caller then
     *                        gets a user namespace with the root mapping, unless --no-user-auto
     * @param facts           the caller, and its /etc/subuid and /etc/subgid ranges for --map-auto
     */
    Optional<UserNamespace> resolve(HostFacts facts, boolean othersRequested) {
        Caller caller = facts.caller();
        if (!wanted()) {
            return othersRequested && !caller.canCreate() && !noAuto
                    ? Optional.of(UserNamespace.rootMapping(caller.uid(), caller.gid(), true))
                    : Optional.empty();
        }
        List<IdMapping> uids = map("uid", mapUser, users, caller.uid(), auto ? facts.subordinateUids() : null, caller);
        List<IdMapping> gids = map("gid", mapGroup, groups, caller.gid(), auto ? facts.subordinateGids() : null, caller);
        return Optional.of(new UserNamespace(uids, gids, setgroups, false));
    }

    private List<IdMapping> map(String kind, Long own, List<IdMapping> ranges, long callerId,
            List<IdMapping> autoRanges, Caller caller) {
        List<IdMapping> map = new ArrayList<>();
        if (own != null || mapRoot || auto || ranges.isEmpty()) {
            map.add(new IdMapping(own == null ? 0 : own, callerId, 1));
        }
        if (autoRanges != null) {
            if (autoRanges.isEmpty()) {
                throw Failure.input("--map-auto: " + caller.name() + " has no range in /etc/sub" + kind
                        + " (add one with usermod --add-sub" + kind + "s)");
            }
            IdMapping first = autoRanges.get(0);
            map.add(new IdMapping(1, first.outer(), first.count()));
        }
        map.addAll(ranges);
        return map;
    }
}
