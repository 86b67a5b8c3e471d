package dev.isolate.runtime;

/** What every command works with: the state directory and the log that engines read errors from. */
public record RuntimeContext(RuntimeRoot root, RuntimeLog log) {
}
