package dev.isolate.spec;

/** Input that cannot describe a container; the message is one line for the user. */
public final class SpecException extends RuntimeException {
    public SpecException(String message) {
        super(message, null, false, false);
    }

    /** Strings go to the kernel as C strings, which end at the first NUL. */
    static void requireNoNul(String what, String value) {
        if (value.indexOf('\0') >= 0) {
            throw new SpecException(what + ": contains a NUL character");
        }
    }
}
