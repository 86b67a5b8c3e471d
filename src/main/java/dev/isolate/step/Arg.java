package dev.isolate.step;

import java.util.List;

/** One argument of a child step, described so that it can be marshalled before the clone. */
public sealed interface Arg {
    /** A plain integer. */
    record Value(long value) implements Arg {
    }

    /** A pointer to a NUL-terminated copy of the string. */
    record CString(String value) implements Arg {
    }

    /** A pointer to a writable copy of the bytes (structs, buffers). */
    record Bytes(byte[] value) implements Arg {
        public Bytes {
            value = value.clone();
        }

        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Bytes b && java.util.Arrays.equals(value, b.value);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Bytes" + java.util.Arrays.toString(value);
        }
    }

    /** A pointer to a NULL-terminated array of C strings (argv, envp). */
    record CStringArray(List<String> values) implements Arg {
        public CStringArray {
            values = List.copyOf(values);
        }
    }

    /** A pointer to a struct sock_fprog: the program's length and a pointer to its instructions. */
    record Program(SocketFilter filter) implements Arg {
    }

    /** The result an earlier step saved in a slot, such as a descriptor the child opened. */
    record Saved(Slot slot) implements Arg {
    }

    /** The descriptor of one end of the launch's handshake pipes. */
    record Pipe(Handshake.End end) implements Arg {
    }

    /** A null pointer. */
    Arg NULL = new Value(0);

    static Arg of(long value) {
        return new Value(value);
    }

    static Arg of(String value) {
        return new CString(value);
    }

    static Arg of(Slot slot) {
        return new Saved(slot);
    }

    static Arg of(Handshake.End end) {
        return new Pipe(end);
    }
}
