package dev.isolate.supervise;

import dev.isolate.step.ParentStep;

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

    /**
     * The parent took a descriptor from the child at a pause. The supervisor closes it when the
     * launch ends; until then it is the events' to use.
     */
    default void took(ParentStep.TakeDescriptor step, int fd) {
    }

    /**
     * The command runs. Whatever isolate does for it while it runs happens here (a terminal's
     * relay, until the command has ended); the supervisor then waits for it.
     */
    default void running(int pid) {
    }
}
