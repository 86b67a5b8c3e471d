package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Who the command runs as inside, as the command line says it (-S, -G, --group-add): each
 * a number, or a name that the host side looks up in the passwd and group files the command
 * will see (see {@link Credentials} for the numbers it becomes).
 *
 * @param user        -S: a uid or user name
 * @param group       -G: a gid or group name
 * @param extraGroups --group-add: supplementary groups, each a gid or group name
 * @param setsHome    whether HOME becomes the user's home directory: with -S, unless -e sets
 *                    HOME or --clear-env empties the environment
 */
public record RunAs(Optional<String> user, Optional<String> group, List<String> extraGroups, boolean setsHome) {
    /** As isolate's caller is inside: no change of credentials. */
    public static final RunAs UNCHANGED = new RunAs(Optional.empty(), Optional.empty(), List.of(), false);

    public RunAs {
        extraGroups = List.copyOf(extraGroups);
        user.ifPresent(value -> requireValid("-S", value));
        group.ifPresent(value -> requireValid("-G", value));
        extraGroups.forEach(value -> requireValid("--group-add", value));
        if (setsHome && user.isEmpty()) {
            throw new IllegalArgumentException("HOME is set for a user given with -S");
        }
    }

    /** Whether anything changes: the child then sets its groups and ids before exec. */
    public boolean changes() {
        return user.isPresent() || group.isPresent() || !extraGroups.isEmpty();
    }

    /** The number, when the value is one rather than a name. */
    public static OptionalLong number(String value) {
        if (isNumber(value)) {
            return OptionalLong.of(Long.parseLong(value));
        }
        return OptionalLong.empty();
    }

    /** Names as passwd and group spell them: no colon, no line break; numbers below (uid_t)-1. */
    private static void requireValid(String option, String value) {
        if (value.isEmpty()) {
            throw Failure.input(option + ": the user or group is empty");
        }
        CStrings.requireNoNul(option, value);
        if (isNumber(value)) {
            if (value.length() > 10 || Long.parseLong(value) >= IdMapping.ID_LIMIT) {
                throw Failure.input(option + " " + value + ": ids are below " + IdMapping.ID_LIMIT);
            }
        } else if (value.indexOf(':') >= 0 || value.indexOf('\n') >= 0) {
            throw Failure.input(option + " \"" + value + "\": not a number, nor a name (a name has no ':' or line break)");
        }
    }

    private static boolean isNumber(String value) {
        return !value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9');
    }
}
