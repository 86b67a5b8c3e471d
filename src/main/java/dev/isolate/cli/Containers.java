package dev.isolate.cli;

import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.state.StateStore;
import java.util.List;
import java.util.function.BiConsumer;

/** The caller's named containers: root's under /run/isolate, everyone else's under their own runtime directory. */
final class Containers {
    private Containers() {
    }

    static StateStore store() {
        return StateStore.of(Caller.current().uid(), HostFacts.callerEnvironment());
    }

    /** Does {@code action} to each named container in turn, printing each name once it is done. */
    static int forEach(List<String> names, BiConsumer<StateStore, String> action) {
        StateStore store = store();
        for (String name : names) {
            action.accept(store, name);
            System.out.println(name);
        }
        return 0;
    }
}
