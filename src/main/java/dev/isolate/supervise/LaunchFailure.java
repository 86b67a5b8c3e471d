package dev.isolate.supervise;

/** isolate could not run the command; the message is the one line after {@code isolate: }. */
public final class LaunchFailure extends RuntimeException {
    private final int exitStatus;

    public LaunchFailure(String message, int exitStatus) {
        super(message, null, false, false);
        this.exitStatus = exitStatus;
    }

    public int exitStatus() {
        return exitStatus;
    }
}
