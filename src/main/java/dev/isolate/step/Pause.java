package dev.isolate.step;

import java.util.List;

/**
 * One point where the child stops and waits for the parent: it reports a word on the report
 * pipe and blocks reading one byte from the release pipe, while the parent does
 * {@code parentSteps} and then writes that byte. The first pause is the handshake's (the
 * child has armed its parent-death signal: {@link LaunchPlan#ARMED}); a later one reports
 * {@link LaunchPlan#PAUSED}, for work that needs something only the child can make, such as a
 * descriptor it opened inside the container.
 */
public record Pause(List<ParentStep> parentSteps) {
    public Pause {
        parentSteps = List.copyOf(parentSteps);
    }
}
