package dev.isolate.spec;

import dev.isolate.exit.Failure;

/** Strings go to the kernel as C strings, which end at the first NUL. */
final class CStrings {
    private CStrings() {
    }

    static void requireNoNul(String what, String value) {
        if (value.indexOf('\0') >= 0) {
            throw Failure.input(what + ": contains a NUL character");
        }
    }
}
