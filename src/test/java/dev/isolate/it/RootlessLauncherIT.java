package dev.isolate.it;

import java.util.Set;
import java.util.TreeSet;

/** Every launcher test again, as the unprivileged user nobody. */
class RootlessLauncherIT extends LauncherIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    Set<String> alsoNew(Set<String> requested) {
        Set<String> withUser = new TreeSet<>(requested);
        if (!requested.isEmpty()) {
            withUser.add("user");
        }
        return withUser;
    }
}
