package dev.isolate.sys;

import dev.isolate.linux.Linux;
import dev.isolate.step.Arg;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.Slot;
import dev.isolate.step.SocketFilter;
import dev.isolate.step.Step;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A launch plan laid out in native memory the way the trampoline reads it (see
 * src/main/asm/trampoline-x86_64.S): a header, one 64-byte record per step, then the
 * strings, arrays and structs the steps point to, then the child's stack. Everything the
 * child touches is here, so it never needs the JVM.
 *
 * <p>The child is usually cloned with CLONE_VM: it shares isolate's memory, like posix_spawn's
 * child, instead of copying the page tables of a JVM with a large heap on every launch
 * (measured: tens of milliseconds under allocation pressure). It therefore reads this very
 * image, which must stay allocated until the child has exec'd or exited.
 *
 * <p>Strings are byte strings ({@link ByteStrings}): the child gets the caller's bytes.
 */
public final class ProgramImage implements AutoCloseable {
    static final int HEADER = 40;
    /** Result slots follow the header; slot n is the n-th word (word 0 is unused). */
    static final int SLOTS = HEADER;
    static final int STEPS = SLOTS + 8 * (Slot.COUNT + 1);
    /** The child's stack: it makes one call of its own and runs no signal handlers. */
    static final int CHILD_STACK = 4096;
    static final int STEP = 64;
    /** Where a step's syscall word holds the slot it saves its result in. */
    static final int SAVE_SHIFT = 16;
    /** Where it holds the first argument's slot; the others follow, ARG_SLOT_BITS each. */
    static final int ARG_SLOTS_SHIFT = 20;
    /** The bits of one slot reference: enough for slots 1..{@link Slot#COUNT}. */
    static final int ARG_SLOT_BITS = 4;

    private final Kernel kernel;
    private final long address;

    private ProgramImage(Kernel kernel, long address) {
        this.kernel = kernel;
        this.address = address;
    }

    /** @param pipes the handshake pipes of this launch, whose numbers the plan's steps refer to */
    public static ProgramImage of(LaunchPlan plan, Handshake pipes, Kernel kernel) {
        Layout layout = Layout.of(plan, pipes);
        long address = kernel.memory().allocateMemory(layout.image.length, false);
        if (address == 0) {
            throw new OutOfMemoryError("no native memory for the child program");
        }
        byte[] image = layout.at(address);
        kernel.memory().putByteArray(address, image, 0, image.length);
        return new ProgramImage(kernel, address);
    }

    public long address() {
        return address;
    }

    @Override
    public void close() {
        kernel.memory().freeMemory(address);
    }

    /** The image with pointers as offsets from its start, and where those pointers are. */
    record Layout(byte[] image, List<Integer> pointerSlots) {
        static Layout of(LaunchPlan plan, Handshake pipes) {
            List<Step> steps = plan.childSteps();
            Builder builder = new Builder(STEPS + STEP * steps.size(), pipes);
            builder.putLong(plan.cloneFlags() | (plan.sharesMemory() ? Linux.CLONE_VM : 0)).putLong(steps.size())
                    .putLong(pipes.reportWrite()).putLong(0);
            builder.putStackPointer();
            for (int slot = 0; slot <= Slot.COUNT; slot++) {
                builder.putLong(0);
            }
            for (Step step : steps) {
                builder.putLong(syscallWord(step));
                for (int i = 0; i < Step.MAX_ARGS; i++) {
                    builder.putArg(i < step.args().size() ? step.args().get(i) : Arg.NULL);
                }
                builder.putLong(step.check().code());
            }
            return builder.build();
        }

        /** The syscall number, and which slots the step reads and writes. */
        static long syscallWord(Step step) {
            long word = Syscall.of(step.call()).number();
            word |= (long) step.saveIn().map(Slot::index).orElse(0) << SAVE_SHIFT;
            for (int i = 0; i < step.args().size(); i++) {
                if (step.args().get(i) instanceof Arg.Saved saved) {
                    word |= (long) saved.slot().index() << (ARG_SLOTS_SHIFT + ARG_SLOT_BITS * i);
                }
            }
            return word;
        }

        /** The image as it must look when loaded at {@code base}. */
        byte[] at(long base) {
            ByteBuffer buffer = ByteBuffer.wrap(image.clone()).order(ByteOrder.nativeOrder());
            for (int slot : pointerSlots) {
                buffer.putLong(slot, base + buffer.getLong(slot));
            }
            return buffer.array();
        }
    }

    /** Fixed-size records written in order; variable data appended after them, 8-aligned. */
    private static final class Builder {
        private final ByteBuffer records;
        private final ByteArrayOutputStream data = new ByteArrayOutputStream();
        private final List<Integer> pointerSlots = new ArrayList<>();
        private final List<long[]> dataPointers = new ArrayList<>(); // {offset in data, target}
        private final Handshake pipes;
        private int stackSlot = -1;

        Builder(int recordBytes, Handshake pipes) {
            records = ByteBuffer.allocate(recordBytes).order(ByteOrder.nativeOrder());
            this.pipes = pipes;
        }

        Builder putLong(long value) {
            records.putLong(value);
            return this;
        }

        void putArg(Arg arg) {
            if (arg instanceof Arg.Value v) {
                records.putLong(v.value());
            } else if (arg instanceof Arg.Pipe p) {
                records.putLong(pipes.fd(p.end()));
            } else if (arg instanceof Arg.Saved) {
                records.putLong(0); // the trampoline puts the slot's value here
            } else if (arg instanceof Arg.CString s) {
                putPointer(append(ByteStrings.cString(s.value())));
            } else if (arg instanceof Arg.Bytes b) {
                putPointer(append(b.value()));
            } else if (arg instanceof Arg.CStringArray a) {
                putPointer(appendArray(a.values()));
            } else if (arg instanceof Arg.Program p) {
                putPointer(appendProgram(p.filter()));
            } else {
                throw new IllegalArgumentException("unknown argument " + arg);
            }
        }

        /** A header slot for the child's stack pointer; {@link #build} puts the stack at the very end. */
        void putStackPointer() {
            stackSlot = records.position();
            records.putLong(0);
        }

        private void putPointer(long target) {
            pointerSlots.add(records.position());
            records.putLong(target);
        }

        /** Appends bytes and returns their offset from the image start. */
        private long append(byte[] bytes) {
            while (data.size() % 8 != 0) {
                data.write(0);
            }
            long at = records.capacity() + data.size();
            data.writeBytes(bytes);
            return at;
        }

        /** A NULL-terminated array of pointers to C strings. */
        private long appendArray(List<String> values) {
            List<Long> strings = new ArrayList<>();
            for (String value : values) {
                strings.add(append(ByteStrings.cString(value)));
            }
            long array = append(new byte[8 * (values.size() + 1)]);
            for (int i = 0; i < strings.size(); i++) {
                dataPointers.add(new long[] {array - records.capacity() + 8L * i, strings.get(i)});
            }
            return array;
        }

        /** struct sock_fprog {unsigned short len; struct sock_filter *filter;}, after its instructions. */
        private long appendProgram(SocketFilter filter) {
            long instructions = append(filter.instructions());
            byte[] fprog = ByteBuffer.allocate(Linux.SOCK_FPROG_SIZE).order(ByteOrder.nativeOrder())
                    .putShort(0, (short) filter.length()).array();
            long program = append(fprog);
            dataPointers.add(new long[] {program - records.capacity() + 8, instructions});
            return program;
        }

        Layout build() {
            while ((records.capacity() + data.size()) % 16 != 0) {
                data.write(0);
            }
            data.writeBytes(new byte[CHILD_STACK]);
            records.putLong(stackSlot, records.capacity() + data.size());
            pointerSlots.add(stackSlot);
            byte[] dataBytes = data.toByteArray();
            ByteBuffer dataBuffer = ByteBuffer.wrap(dataBytes).order(ByteOrder.nativeOrder());
            for (long[] pointer : dataPointers) {
                dataBuffer.putLong((int) pointer[0], pointer[1]);
                pointerSlots.add(records.capacity() + (int) pointer[0]);
            }
            byte[] image = new byte[records.capacity() + dataBytes.length];
            System.arraycopy(records.array(), 0, image, 0, records.capacity());
            System.arraycopy(dataBytes, 0, image, records.capacity(), dataBytes.length);
            return new Layout(image, List.copyOf(pointerSlots));
        }
    }
}
