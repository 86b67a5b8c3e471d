package dev.isolate.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a command's environment the way docker run's -e and env -i do. */
public final class Environments {
    private Environments() {
    }

    /**
     * @param inherited   the caller's environment
     * @param clear       start from nothing instead of the caller's environment
     * @param assignments {@code NAME=VALUE} sets a variable; a bare {@code NAME} copies the
     *                    caller's value, or is skipped when the caller has none (as docker does)
     */
    public static Map<String, String> compose(Map<String, String> inherited, boolean clear, List<String> assignments) {
        Map<String, String> environment = new LinkedHashMap<>();
        if (!clear) {
            environment.putAll(inherited);
        }
        for (String assignment : assignments) {
            int eq = assignment.indexOf('=');
            String name = eq < 0 ? assignment : assignment.substring(0, eq);
            ContainerSpec.requireValidEnvName(name);
            if (eq >= 0) {
                environment.put(name, assignment.substring(eq + 1));
            } else if (inherited.containsKey(name)) {
                environment.put(name, inherited.get(name));
            }
        }
        return environment;
    }
}
