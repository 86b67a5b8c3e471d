package dev.isolate.step;

/**
 * A place where the child keeps one step's result for later steps: a descriptor it
 * opened itself, which exists only in the child. The planner owns the numbering.
 */
public record Slot(int index) {
    /** Slots the trampoline has; 0 means "none" in its encoding. */
    public static final int COUNT = 15;

    public Slot {
        if (index < 1 || index > COUNT) {
            throw new IllegalArgumentException("slot " + index + " is not in 1.." + COUNT);
        }
    }
}
