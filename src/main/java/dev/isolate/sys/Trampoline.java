package dev.isolate.sys;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.PageManager;
import com.kenai.jffi.Type;
import dev.isolate.linux.Linux;
import java.util.HexFormat;

/**
 * The machine-code routine of src/main/asm/trampoline-x86_64.S, loaded into executable
 * memory: it clones and runs a {@link ProgramImage} in the child, and forwards signals.
 *
 * <p>Two pages: the code (read + execute), then a data page (read + write) whose first
 * word is the pid the signal forwarder sends to, and the second the descriptor the signal
 * notifier writes to; the rest holds scratch structs.
 */
public final class Trampoline {
    /** The routine finds the data page this far after its code: pages of any other size are refused. */
    static final int PAGE_SIZE = 4096;
    /** Where the data page holds the pid that signals are forwarded to. */
    static final int TARGET_PID = 0;
    /** Where the data page holds the descriptor the signal notifier writes to. */
    static final int NOTIFY_FD = 4;
    private static final int MASK_ALL = 8;
    private static final int MASK_SAVED = 16;
    private static final int SIGACTION = 32;

    private final Kernel kernel;
    private final MemoryIO memory;
    private final long code;
    private final long data;
    private final CallContext pointerToLong;

    private Trampoline(Kernel kernel, long code, long data) {
        this.kernel = kernel;
        this.memory = kernel.memory();
        this.code = code;
        this.data = data;
        this.pointerToLong = CallContext.getCallContext(Type.SINT64, new Type[] {Type.POINTER},
                CallingConvention.DEFAULT, false);
    }

    /** Whether this machine can run the routine; isolate has no other way to launch. */
    public static boolean supported() {
        String arch = System.getProperty("os.arch");
        return "Linux".equals(System.getProperty("os.name")) && ("amd64".equals(arch) || "x86_64".equals(arch));
    }

    public static Trampoline load(Kernel kernel) {
        if (!supported()) {
            throw new IllegalStateException("only x86-64 Linux is supported");
        }
        PageManager pages = PageManager.getInstance();
        long pageSize = pages.pageSize();
        if (pageSize != PAGE_SIZE) {
            // The forwarder finds its target one 4096-byte page after its own code.
            throw new IllegalStateException("page size " + pageSize + " is not supported");
        }
        long code = pages.allocatePages(2, PageManager.PROT_READ | PageManager.PROT_WRITE);
        if (code == 0) {
            throw new IllegalStateException("cannot allocate pages for the trampoline");
        }
        byte[] bytes = HexFormat.of().parseHex(TrampolineCode.X86_64_HEX);
        kernel.memory().putByteArray(code, bytes, 0, bytes.length);
        kernel.memory().putInt(code + pageSize + TARGET_PID, 0);
        kernel.memory().putInt(code + pageSize + NOTIFY_FD, -1);
        pages.protectPages(code, 1, PageManager.PROT_READ | PageManager.PROT_EXEC);
        return new Trampoline(kernel, code, code + pageSize);
    }

    /**
     * Clones the calling thread into a child that runs the program; returns the child's pid
     * or -errno. Every signal is blocked in this thread across the clone, so the child starts
     * with none deliverable until its program has reset the JVM's handlers.
     */
    public long start(ProgramImage program) {
        memory.putLong(data + MASK_ALL, -1L);
        check(kernel.call(Syscall.RT_SIGPROCMASK, Linux.SIG_SETMASK, data + MASK_ALL, data + MASK_SAVED,
                Linux.SIGSET_SIZE), "block signals");
        try {
            return Invoker.getInstance().invokeL1(pointerToLong, code + TrampolineCode.RUN_PROGRAM,
                    program.address());
        } finally {
            check(kernel.call(Syscall.RT_SIGPROCMASK, Linux.SIG_SETMASK, data + MASK_SAVED, 0,
                    Linux.SIGSET_SIZE), "restore the signal mask");
        }
    }

    /** Sets the pid that forwarded signals go to; 0 stops forwarding. */
    public void forwardTo(int pid) {
        memory.putInt(data + TARGET_PID, pid);
    }

    /**
     * Installs the forwarder as the handler of {@code signal}. It runs no Java: it sends the
     * signal on unless the terminal sent it to the whole process group, which the command is in.
     */
    public void forward(int signal) {
        handle(signal, TrampolineCode.FORWARD_SIGNAL);
    }

    /** Sets the descriptor that notified signals are written to (a pipe's non-blocking write end); -1 for none. */
    public void notifyTo(int fd) {
        memory.putInt(data + NOTIFY_FD, fd);
    }

    /**
     * Installs the notifier as the handler of {@code signal}: it runs no Java, and writes the
     * signal's number as one byte to the descriptor of {@link #notifyTo}, for a loop that polls it.
     */
    public void notifyOf(int signal) {
        handle(signal, TrampolineCode.NOTIFY_SIGNAL);
    }

    private void handle(int signal, int entry) {
        long act = data + SIGACTION;
        memory.putLong(act, code + entry);
        memory.putLong(act + 8, Linux.SA_SIGINFO | Linux.SA_RESTORER | Linux.SA_RESTART);
        memory.putLong(act + 16, code + TrampolineCode.SIGNAL_RESTORER);
        memory.putLong(act + 24, 0);
        check(kernel.call(Syscall.RT_SIGACTION, signal, act, 0, Linux.SIGSET_SIZE), "handle signal " + signal);
    }

    private void check(long result, String what) {
        if (result < 0) {
            throw new IllegalStateException(what + ": " + kernel.errorText((int) -result));
        }
    }
}
