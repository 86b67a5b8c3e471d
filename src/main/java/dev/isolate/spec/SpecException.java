package dev.isolate.spec;

/** Input that cannot describe a container; the message is one line for the user. */
public final class SpecException extends RuntimeException {
    public SpecException(String message) {
        super(message, null, false, false);
    }
}
