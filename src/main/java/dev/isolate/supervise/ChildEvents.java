package dev.isolate.supervise;

/** What the supervisor tells the rest of isolate about a launch, as it happens. */
public interface ChildEvents {
    ChildEvents NONE = new ChildEvents() {
    };

    /**
     * The child waits for its release, in its namespaces, with its id maps written: the
     * host's part of its setup (its network, say) happens here.
     */
    default void waiting(int pid) {
    }

    /** The command runs. */
    default void running(int pid) {
    }
}
