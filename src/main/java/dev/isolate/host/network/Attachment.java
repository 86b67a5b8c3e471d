package dev.isolate.host.network;

/** What one network mode does on the host around a launch. */
interface Attachment extends AutoCloseable {
    /** Connects the child, which waits in its new network namespace, before it is released. */
    void attach(int pid);

    /** Undoes what it made on the host; it must not fail. */
    @Override
    void close();
}
