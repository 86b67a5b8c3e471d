package dev.isolate.sys;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.ExitStatus;
import dev.isolate.linux.Linux;
import dev.isolate.step.Arg;
import dev.isolate.step.Call;
import dev.isolate.step.Check;
import dev.isolate.step.Handshake;
import dev.isolate.step.LaunchPlan;
import dev.isolate.step.Slot;
import dev.isolate.step.Step;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The numbers the trampoline's source spells as {@code .equ}s are the ones the Java side
 * uses: a step laid out by {@link ProgramImage} is read by the routine at the same offsets,
 * a check code means the same thing on both sides, and so on. Every {@code .equ} must be
 * accounted for here, so a new one cannot slip in unchecked.
 */
class TrampolineConstantsTest {
    private static final Path SOURCE = Path.of("src/main/asm/trampoline-x86_64.S");
    /** {@code .equ NAME, VALUE}, perhaps with a comment. */
    private static final Pattern EQU_LINE = Pattern.compile("^\\s*\\.equ\\s+(\\w+)\\s*,\\s*([^#]*?)\\s*(#.*)?$");
    private static final Map<String, String> EQU = equates(SOURCE);

    /** A value the Java side knows, named for the message. */
    private record Java(String name, long value) {
    }

    /** The routine's names for what Java also knows, with Java's value. */
    private static final Map<String, Java> SHARED = Map.ofEntries(
            Map.entry("SYS_write", new Java("Syscall.WRITE", Syscall.WRITE.number())),
            Map.entry("SYS_kill", new Java("Syscall.KILL", Syscall.KILL.number())),
            Map.entry("SYS_clone", new Java("Syscall.CLONE", Syscall.CLONE.number())),
            Map.entry("ENOENT", new Java("Linux.ENOENT", Linux.ENOENT)),
            Map.entry("EACCES", new Java("Linux.EACCES", Linux.EACCES)),
            Map.entry("ENOTDIR", new Java("Linux.ENOTDIR", Linux.ENOTDIR)),
            Map.entry("EEXIST", new Java("Linux.EEXIST", Linux.EEXIST)),
            Map.entry("SLOTS", new Java("ProgramImage.SLOTS", ProgramImage.SLOTS)),
            Map.entry("STEPS", new Java("ProgramImage.STEPS", ProgramImage.STEPS)),
            Map.entry("STEP_SIZE", new Java("ProgramImage.STEP", ProgramImage.STEP)),
            Map.entry("SAVE_SHIFT", new Java("ProgramImage.SAVE_SHIFT", ProgramImage.SAVE_SHIFT)),
            Map.entry("ARG_SLOTS_SHIFT", new Java("ProgramImage.ARG_SLOTS_SHIFT", ProgramImage.ARG_SLOTS_SHIFT)),
            Map.entry("SLOT_BITS", new Java("ProgramImage.ARG_SLOT_BITS", ProgramImage.ARG_SLOT_BITS)),
            Map.entry("SLOT_MASK", new Java("Slot.COUNT", Slot.COUNT)),
            Map.entry("CHECK_SUCCESS", new Java("Check.SUCCESS", Check.SUCCESS.code())),
            Map.entry("CHECK_IGNORE", new Java("Check.IGNORE", Check.IGNORE.code())),
            Map.entry("CHECK_EXEC_CANDIDATE", new Java("Check.EXEC_CANDIDATE", Check.EXEC_CANDIDATE.code())),
            Map.entry("CHECK_SUCCESS_OR_EXISTS", new Java("Check.SUCCESS_OR_EXISTS", Check.SUCCESS_OR_EXISTS.code())),
            Map.entry("CHECK_CLONED", new Java("Check.CLONED", Check.CLONED.code())),
            Map.entry("CHECK_EXEC_PROBE", new Java("Check.EXEC_PROBE", Check.EXEC_PROBE.code())),
            Map.entry("NEW_PROCESS_BIT", new Java("the bit of LaunchPlan.NEW_PROCESS",
                    Long.numberOfTrailingZeros(LaunchPlan.NEW_PROCESS))),
            Map.entry("SETUP_FAILED", new Java("ExitStatus.SETUP_FAILED", ExitStatus.SETUP_FAILED)),
            Map.entry("PAGE_SIZE", new Java("Trampoline.PAGE_SIZE", Trampoline.PAGE_SIZE)),
            Map.entry("TARGET_PID", new Java("Trampoline.TARGET_PID", Trampoline.TARGET_PID)),
            Map.entry("NOTIFY_FD", new Java("Trampoline.NOTIFY_FD", Trampoline.NOTIFY_FD)),
            Map.entry("FAILED_STEP_SHIFT", new Java("LaunchPlan.FAILED_STEP_SHIFT", LaunchPlan.FAILED_STEP_SHIFT)));

    /** Offsets in the program that ProgramImage has no names for: checked against what it writes. */
    private static final Set<String> LAYOUT = Set.of("HDR_FLAGS", "HDR_STEP_COUNT", "HDR_REPORT_FD",
            "HDR_REPORT_WORD", "HDR_STACK", "STEP_ARGS", "STEP_CHECK");

    /** The kernel's ABI that only the routine uses. */
    private static final Set<String> ROUTINE_ONLY = Set.of("SYS_rt_sigreturn", "SYS_exit_group", "MAX_ERRNO",
            "SI_KERNEL");

    /** Definitions that are not plain numbers, as they must read. */
    private static final Map<String, String> EXPRESSIONS = Map.of(
            "target_pid", "run_program + PAGE_SIZE + TARGET_PID",
            "notify_fd", "run_program + PAGE_SIZE + NOTIFY_FD");

    @Test
    void everyEquIsAccountedFor() {
        Set<String> known = new TreeSet<>(SHARED.keySet());
        known.addAll(LAYOUT);
        known.addAll(ROUTINE_ONLY);
        known.addAll(EXPRESSIONS.keySet());
        Set<String> unaccounted = new TreeSet<>(EQU.keySet());
        unaccounted.removeAll(known);
        known.removeAll(EQU.keySet());
        assertEquals(Set.of(), unaccounted, "every .equ of " + SOURCE
                + " is compared with Java, checked against the layout, or declared the routine's alone here");
        assertEquals(Set.of(), known, "names this test expects in " + SOURCE);
    }

    @Test
    void theRoutineAndJavaAgree() {
        assertAll(SHARED.entrySet().stream().sorted(Map.Entry.comparingByKey()).map(e -> (Executable) () -> assertEquals(
                e.getValue().value(), value(e.getKey()), e.getValue().name() + " (expected) and " + e.getKey() + " in " + SOURCE)));
        assertEquals(1, Long.bitCount(LaunchPlan.NEW_PROCESS), "NEW_PROCESS is one bit");
        assertEquals(EXPRESSIONS, Map.of("target_pid", EQU.get("target_pid"), "notify_fd", EQU.get("notify_fd")));
    }

    @Test
    void theHeaderIsWhereProgramImageWritesIt() {
        Handshake pipes = new Handshake(7, 8, 9, 10);
        LaunchPlan plan = new LaunchPlan(0x11, false, List.of(
                Step.of(Call.CLOSE, Check.SUCCESS, "close", Arg.of(3)),
                Step.of(Call.EXECVE, Check.SUCCESS, "exec", Arg.of("/bin/true"))), List.of());
        ProgramImage.Layout layout = ProgramImage.Layout.of(plan, pipes);
        ByteBuffer image = ByteBuffer.wrap(layout.image()).order(ByteOrder.nativeOrder());
        assertAll(
                () -> assertEquals(0x11, image.getLong(offset("HDR_FLAGS")), "clone flags"),
                () -> assertEquals(2, image.getLong(offset("HDR_STEP_COUNT")), "step count"),
                () -> assertEquals(pipes.reportWrite(), image.getLong(offset("HDR_REPORT_FD")), "report fd"),
                () -> assertEquals(0, image.getLong(offset("HDR_REPORT_WORD")), "the report word starts empty"),
                () -> assertEquals(layout.image().length, image.getLong(offset("HDR_STACK")),
                        "the stack pointer, relative to the image: its end"),
                () -> assertTrue(layout.pointerSlots().contains(offset("HDR_STACK")), "the stack pointer is relocated"),
                () -> assertEquals(ProgramImage.HEADER, value("HDR_STACK") + 8, "the header ends with the stack pointer"),
                () -> assertEquals(ProgramImage.HEADER, value("SLOTS"), "the slots follow the header"));
    }

    @Test
    void aStepIsWhereProgramImageWritesIt() {
        Step first = new Step(Call.MOUNT, Stream.of(11, 12, 13, 14, 15, 16).map(n -> (Arg) Arg.of(n)).toList(),
                Check.exactly(77), Optional.empty(), "mount");
        Step second = Step.of(Call.EXECVE, Check.IGNORE, "exec", Arg.of(21));
        ProgramImage.Layout layout = ProgramImage.Layout.of(new LaunchPlan(0, false, List.of(first, second), List.of()),
                new Handshake(3, 4, 5, 6));
        ByteBuffer image = ByteBuffer.wrap(layout.image()).order(ByteOrder.nativeOrder());
        int steps = offset("STEPS");
        int argument = offset("STEP_ARGS");
        assertAll(
                () -> assertEquals(ProgramImage.Layout.syscallWord(first), image.getLong(steps), "the syscall word"),
                () -> assertEquals(List.of(11L, 12L, 13L, 14L, 15L, 16L), Stream.of(0, 1, 2, 3, 4, 5)
                        .map(i -> image.getLong(steps + argument + 8 * i)).toList(), "six arguments"),
                () -> assertEquals(77, image.getLong(steps + offset("STEP_CHECK")), "the check"),
                () -> assertEquals(Step.MAX_ARGS, (value("STEP_CHECK") - value("STEP_ARGS")) / 8, "the check follows"),
                () -> assertEquals(value("STEP_CHECK") + 8, value("STEP_SIZE"), "the check is a step's last word"),
                () -> assertEquals(Syscall.EXECVE.number(), image.getLong(steps + offset("STEP_SIZE")), "the next step"),
                () -> assertEquals(21, image.getLong(steps + offset("STEP_SIZE") + argument)));
    }

    @Test
    void theSyscallWordIsReadAsItIsWritten() {
        Slot saved = new Slot(Slot.COUNT);
        List<Arg> args = Stream.of(1, 2, 3, 4, 5, 6).map(n -> (Arg) Arg.of(new Slot(n + 8))).toList();
        long word = ProgramImage.Layout.syscallWord(new Step(Call.MOUNT_SETATTR, args, Check.SUCCESS,
                Optional.of(saved), "mount_setattr"));
        long mask = value("SLOT_MASK");
        // As the routine does: the number is the low 16-bit word, the saved slot in the byte at
        // SAVE_SHIFT / 8, the argument slots from ARG_SLOTS_SHIFT on, SLOT_BITS each.
        assertEquals(Syscall.MOUNT_SETATTR.number(), word & 0xffff);
        assertEquals(Slot.COUNT, (word >>> value("SAVE_SHIFT")) & 0xff & mask);
        for (int i = 0; i < Step.MAX_ARGS; i++) {
            assertEquals(i + 9, (word >>> (value("ARG_SLOTS_SHIFT") + value("SLOT_BITS") * i)) & mask, "argument " + i);
        }
        assertEquals(0, word >>> (value("ARG_SLOTS_SHIFT") + value("SLOT_BITS") * Step.MAX_ARGS), "nothing above");
    }

    @Test
    void theFieldsFitTogether() {
        assertAll(
                () -> assertEquals((1L << value("SLOT_BITS")) - 1, value("SLOT_MASK"), "the mask is SLOT_BITS wide"),
                () -> assertEquals(value("SLOTS") + 8 * (value("SLOT_MASK") + 1), value("STEPS"),
                        "a word for each slot, 0 included"),
                () -> assertTrue(value("SAVE_SHIFT") >= 16 && value("SAVE_SHIFT") % 8 == 0,
                        "the number is read as a 16-bit word, the saved slot as a byte"),
                () -> assertTrue(value("SAVE_SHIFT") + value("SLOT_BITS") <= value("ARG_SLOTS_SHIFT"),
                        "the saved slot and the argument slots do not overlap"),
                () -> assertTrue(value("ARG_SLOTS_SHIFT") + Step.MAX_ARGS * value("SLOT_BITS") <= 64),
                () -> assertTrue(Arrays.stream(Syscall.values()).allMatch(s -> s.number() < 1L << 16),
                        "every syscall number fits the word the routine reads"),
                () -> assertTrue(value("NEW_PROCESS_BIT") >= value("FAILED_STEP_SHIFT") + 16,
                        "no failure word of a plan of fewer than 65536 steps has the NEW_PROCESS bit"));
    }

    @Test
    void theForwarderFindsItsTargetInTheDataPage() {
        assertEquals(0, TrampolineCode.RUN_PROGRAM,
                "target_pid is relative to run_program, Trampoline's data page to the start of the code");
        assertTrue(TrampolineCode.X86_64_HEX.length() / 2 <= Trampoline.PAGE_SIZE, "the code fits in its page");
    }

    // --- the source ---

    private static long value(String name) {
        String text = EQU.get(name);
        if (text == null) {
            throw new AssertionError(name + " is not defined in " + SOURCE);
        }
        return Long.decode(text);
    }

    private static int offset(String name) {
        return Math.toIntExact(value(name));
    }

    /** Each {@code .equ NAME, VALUE} of the file, in order; a name defined twice is an error. */
    private static Map<String, String> equates(Path source) {
        Map<String, String> equates = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(source)) {
                Matcher m = EQU_LINE.matcher(line);
                if (m.matches() && equates.put(m.group(1), m.group(2)) != null) {
                    throw new AssertionError(m.group(1) + " is defined twice in " + source);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return equates;
    }
}
