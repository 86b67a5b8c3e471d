package dev.isolate.sys;

import com.kenai.jffi.MemoryIO;
import java.util.ArrayList;
import java.util.List;

/**
 * C strings and NULL-terminated arrays of them in native memory, for the libc and kernel
 * calls that take an argv or an environment; what was allocated is freed together.
 */
public final class NativeStrings implements AutoCloseable {
    private final MemoryIO memory;
    private final List<Long> allocated = new ArrayList<>();

    public NativeStrings(MemoryIO memory) {
        this.memory = memory;
    }

    /** {@code size} zeroed bytes. */
    public long allocate(int size) {
        long address = memory.allocateMemory(size, true);
        if (address == 0) {
            throw new OutOfMemoryError("no native memory for " + size + " bytes");
        }
        allocated.add(address);
        return address;
    }

    /** The string's bytes (one char a byte, as isolate keeps the caller's) and a NUL. */
    public long string(String value) {
        byte[] bytes = ByteStrings.cString(value);
        long address = allocate(bytes.length);
        memory.putByteArray(address, bytes, 0, bytes.length);
        return address;
    }

    /** A NULL-terminated array of C strings. */
    public long array(List<String> values) {
        long array = allocate(8 * (values.size() + 1));
        for (int i = 0; i < values.size(); i++) {
            memory.putAddress(array + 8L * i, string(values.get(i)));
        }
        return array;
    }

    @Override
    public void close() {
        allocated.forEach(memory::freeMemory);
        allocated.clear();
    }
}
