package dev.isolate.spec;

/** Offsets of CLOCK_MONOTONIC and CLOCK_BOOTTIME in a new time namespace, in seconds. */
public record TimeOffsets(long monotonicSeconds, long boottimeSeconds) {
    public static final TimeOffsets NONE = new TimeOffsets(0, 0);

    public boolean isNone() {
        return monotonicSeconds == 0 && boottimeSeconds == 0;
    }
}
