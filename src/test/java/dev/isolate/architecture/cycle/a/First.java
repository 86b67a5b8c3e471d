package dev.isolate.architecture.cycle.a;

import dev.isolate.architecture.cycle.b.Second;

/** One half of a package cycle, for the test that the cycle rule can fail. */
public final class First {
    Second other;
}
