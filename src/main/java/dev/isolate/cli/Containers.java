package dev.isolate.cli;

import dev.isolate.exit.Messages;
import dev.isolate.exit.Failure;
import dev.isolate.host.Caller;
import dev.isolate.host.HostFacts;
import dev.isolate.state.StateStore;
import java.util.List;
import java.util.function.BiConsumer;

/** The caller's named containers: root's under /run/isolate, everyone else's under their own runtime directory. */
final class Containers {
    /**
     * The exit status of a command on several names when it could not do what it was asked
     * for some of them, and did it for the others: docker's. 125 stays for a command that
     * failed before doing anything.
     */
    static final int SOME_FAILED = 1;

    private Containers() {
    }

    static StateStore store() {
        return StateStore.of(Caller.current().uid(), HostFacts.callerEnvironment());
    }

    /**
     * The store, once every name given has passed the name rule: a bad name fails the whole
     * command line before anything is touched.
     */
    static StateStore store(List<String> names) {
        names.forEach(StateStore::requireValidName);
        return store();
    }

    /**
     * Does {@code action} to every named container, printing each name once it is done, or
     * the one-line error that says why it could not be.
     *
     * @return 0, or {@link #SOME_FAILED}
     */
    static int forEach(List<String> names, BiConsumer<StateStore, String> action) {
        StateStore store = store(names);
        Outcomes outcomes = new Outcomes();
        for (String name : names) {
            try {
                action.accept(store, name);
                outcomes.done(name);
            } catch (Failure failure) {
                outcomes.failed(failure);
            }
        }
        return outcomes.status();
    }

    /** What a command on several names tells about each: its name on stdout, or its error on stderr. */
    static final class Outcomes {
        private boolean failed;

        void done(String name) {
            System.out.println(name);
        }

        void failed(Failure failure) {
            System.err.println(Messages.line("isolate: " + failure.getMessage()));
            failed = true;
        }

        int status() {
            return failed ? SOME_FAILED : 0;
        }
    }
}
