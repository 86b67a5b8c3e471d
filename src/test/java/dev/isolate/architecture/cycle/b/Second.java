package dev.isolate.architecture.cycle.b;

import dev.isolate.architecture.cycle.a.First;

/** The other half of a package cycle, for the test that the cycle rule can fail. */
public final class Second {
    First other;
}
