package dev.isolate.cli;

import dev.isolate.state.StateStore;
import dev.isolate.userns.Caller;

/** The caller's named containers: root's under /run/isolate, everyone else's under their own runtime directory. */
final class Containers {
    private Containers() {
    }

    static StateStore store() {
        return StateStore.of(Caller.current().uid(), System.getenv());
    }
}
