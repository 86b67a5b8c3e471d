package dev.isolate.runtime;

import com.kenai.jffi.MemoryIO;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import java.nio.file.Path;
import java.util.function.LongBinaryOperator;
import java.util.function.LongUnaryOperator;

/** System calls on paths that Kernel has no method for: the path copied to native memory for the call. */
final class NativePaths {
    private NativePaths() {
    }

    /** {@code call} given the address of a NUL-terminated copy of {@code path}; its result, or -errno. */
    static long with(Path path, LongUnaryOperator call) {
        MemoryIO memory = Kernel.get().memory();
        long address = copy(memory, path);
        try {
            return call.applyAsLong(address);
        } finally {
            memory.freeMemory(address);
        }
    }

    /** {@link #with} for two paths. */
    static long with(Path first, Path second, LongBinaryOperator call) {
        return with(first, a -> with(second, b -> call.applyAsLong(a, b)));
    }

    private static long copy(MemoryIO memory, Path path) {
        byte[] bytes = ByteStrings.cString(ByteStrings.of(path));
        long address = memory.allocateMemory(bytes.length, false);
        memory.putByteArray(address, bytes, 0, bytes.length);
        return address;
    }
}
