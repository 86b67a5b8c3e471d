package dev.isolate.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.linux.Linux;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.Slot;
import dev.isolate.step.Step;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProgramImageTest {
    private static final long BASE = 0x7f00_0000_0000L;
    private static final Handshake PIPES = new Handshake(8, 9, 10, 11);

    private static final LaunchPlan PLAN = new LaunchPlan(0x20000011L, true, List.of(
            new Step(Call.SOCKET, List.of(new Arg.Value(2), new Arg.Value(-100)), Check.SUCCESS,
                    Optional.of(new Slot(3)), "socket"),
            new Step(Call.IOCTL, List.of(Arg.of(Handshake.End.RELEASE_READ), new Arg.Bytes(new byte[] {1, 2, 3}),
                    new Arg.Saved(new Slot(3))), Check.IGNORE, Optional.of(new Slot(15)), "ioctl"),
            new Step(Call.EXECVE, List.of(new Arg.CString("/bin/sh"), new Arg.CStringArray(List.of("sh", "-c")),
                    new Arg.CStringArray(List.of())), Check.exactly(7), Optional.empty(), "exec")), List.of());

    private final ByteBuffer image = ByteBuffer.wrap(ProgramImage.Layout.of(PLAN, PIPES).at(BASE))
            .order(ByteOrder.nativeOrder());

    private long word(long offset) {
        return image.getLong((int) offset);
    }

    private long step(int index, int word) {
        return word(ProgramImage.STEPS + ProgramImage.STEP * index + 8L * word);
    }

    private String cString(long pointer) {
        int at = (int) (pointer - BASE);
        int end = at;
        while (image.get(end) != 0) {
            end++;
        }
        return new String(image.array(), at, end - at, StandardCharsets.UTF_8);
    }

    @Test
    void header() {
        assertEquals(0x20000011L | Linux.CLONE_VM, word(0), "a child that shares memory gets CLONE_VM");
        assertEquals(3, word(8));
        assertEquals(9, word(16));
        assertEquals(0, word(24));
        long stackTop = word(32) - BASE;
        assertEquals(image.capacity(), stackTop, "the stack is the image's end");
        assertEquals(0, stackTop % 16);
        for (int slot = 0; slot <= Slot.COUNT; slot++) {
            assertEquals(0, word(ProgramImage.SLOTS + 8L * slot), "slots start empty");
        }
    }

    @Test
    void aChildThatCopiesMemoryIsClonedWithoutCloneVm() {
        LaunchPlan copying = new LaunchPlan(0x11, false, PLAN.childSteps(), List.of());
        assertEquals(0x11, ByteBuffer.wrap(ProgramImage.Layout.of(copying, PIPES).at(BASE)).order(ByteOrder.nativeOrder())
                .getLong(0));
    }

    @Test
    void stepsCarryNumbersArgumentsAndChecks() {
        assertEquals(41 | 3 << ProgramImage.SAVE_SHIFT, step(0, 0));
        assertEquals(2, step(0, 1));
        assertEquals(-100, step(0, 2), "negative values are not pointers");
        assertEquals(-1, step(0, 7));
        assertEquals(16 | 15 << ProgramImage.SAVE_SHIFT | 3L << ProgramImage.ARG_SLOTS_SHIFT + 8, step(1, 0),
                "the third argument comes from slot 3");
        assertEquals(-2, step(1, 7));
        assertEquals(10, step(1, 1), "a handshake pipe's end is its descriptor");
        assertEquals(59, step(2, 0));
        assertEquals(7, step(2, 7));
    }

    @Test
    void pointersAreRelocatedIntoTheDataArea() {
        long bytes = step(1, 2) - BASE;
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(image.array(), (int) bytes,
                (int) bytes + 3));
        assertEquals("/bin/sh", cString(step(2, 1)));
        long argv = step(2, 2);
        assertEquals(0, (argv - BASE) % 8, "arrays are aligned");
        assertEquals("sh", cString(word(argv - BASE)));
        assertEquals("-c", cString(word(argv - BASE + 8)));
        assertEquals(0, word(argv - BASE + 16));
        assertEquals(0, word(step(2, 3) - BASE), "an empty envp is just NULL");
    }

    @Test
    void aSeccompProgramIsAStructSockFprogPointingAtItsInstructions() {
        byte[] instructions = new byte[3 * 8];
        for (int i = 0; i < instructions.length; i++) {
            instructions[i] = (byte) (i + 1);
        }
        LaunchPlan plan = new LaunchPlan(0x11, true, List.of(Step.of(Call.SECCOMP, Check.SUCCESS, "filter",
                Arg.of(1), Arg.of(0), new Arg.Program(new dev.isolate.step.SocketFilter(instructions))),
                Step.of(Call.EXECVE, Check.SUCCESS, "exec", new Arg.CString("/bin/true"),
                        new Arg.CStringArray(List.of("true")), new Arg.CStringArray(List.of()))), List.of());
        ByteBuffer image = ByteBuffer.wrap(ProgramImage.Layout.of(plan, PIPES).at(BASE)).order(ByteOrder.nativeOrder());
        int step = ProgramImage.STEPS;
        assertEquals(317, image.getLong(step), "seccomp(2) on x86-64");
        long fprog = image.getLong(step + 8 * 3) - BASE;
        assertEquals(0, fprog % 8, "the struct is aligned");
        assertEquals(3, image.getShort((int) fprog), "len: the number of instructions");
        for (int pad = 2; pad < 8; pad++) {
            assertEquals(0, image.get((int) fprog + pad), "padding up to the pointer");
        }
        long filter = image.getLong((int) fprog + 8) - BASE;
        assertArrayEquals(instructions, java.util.Arrays.copyOfRange(image.array(), (int) filter,
                (int) filter + instructions.length));
        assertTrue(ProgramImage.Layout.of(plan, PIPES).pointerSlots().contains((int) fprog + 8),
                "the filter pointer is relocated with the image");
    }
}
