package dev.isolate.spec;

/**
 * How mounts flow between the host and a new mount namespace, as util-linux unshare's
 * --propagation: applied recursively to the namespace's copy of the host's tree first.
 */
public enum Propagation {
    /** Nothing flows either way (the default). */
    PRIVATE,
    /** Mounts made on the host later appear inside; nothing flows out. */
    SLAVE,
    /** Both ways, through the host's shared mounts, such as a bound directory. */
    SHARED,
    /** Left as the host has it. */
    UNCHANGED
}
