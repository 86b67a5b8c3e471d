package dev.isolate.sys;

import com.kenai.jffi.CallContext;
import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import dev.isolate.linux.Linux;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;

/**
 * Raw system calls for the parent, through libc's syscall(2) and jffi.
 *
 * <p>jffi is the engine under jnr-ffi; calling it directly skips jnr-ffi's generation of
 * interface proxies, which costs tens of milliseconds at every start and buys nothing for
 * a handful of integer-only calls. Results follow the kernel's convention: a value, or
 * {@code -errno}.
 */
public final class Kernel {
    /** Set once, by the first load that succeeds; a failed load leaves it null. */
    private static volatile Kernel instance;

    private final Invoker invoker = Invoker.getInstance();
    private final MemoryIO memory = MemoryIO.getInstance();
    private final long syscall;
    private final long strerror;
    private final CallContext sixLongs;
    private final CallContext intToPointer;

    private Kernel() {
        Library libc = Library.getDefault();
        syscall = libc.getSymbolAddress("syscall");
        strerror = libc.getSymbolAddress("strerror");
        if (syscall == 0 || strerror == 0) {
            throw new IllegalStateException("libc has no syscall/strerror: " + Library.getLastError());
        }
        Type l = Type.SINT64;
        sixLongs = CallContext.getCallContext(l, new Type[] {l, l, l, l, l, l}, CallingConvention.DEFAULT, true);
        intToPointer = CallContext.getCallContext(Type.POINTER, new Type[] {Type.SINT32},
                CallingConvention.DEFAULT, false);
    }

    public static Kernel get() {
        Kernel kernel = instance;
        return kernel != null ? kernel : load();
    }

    private static synchronized Kernel load() {
        if (instance == null) {
            instance = new Kernel();
        }
        return instance;
    }

    /**
     * Starts loading jffi and its stub on a thread of its own, for a command that makes system
     * calls as soon as its command line is parsed: the load (~10 ms on JDK 25, interpreted) then
     * runs beside the parse, on another core. The first get() waits
     * for it. A load that fails here is dropped: get() tries again and reports the failure
     * where it is met.
     */
    public static void loadInBackground() {
        Thread loader = new Thread(new BackgroundLoad(), "isolate-kernel-load");
        loader.setDaemon(true);
        loader.start();
    }

    private static final class BackgroundLoad implements Runnable {
        @Override
        public void run() {
            try {
                load();
            } catch (RuntimeException | LinkageError dropped) {
                // get() meets it again on the thread that needs the kernel
            }
        }
    }

    public MemoryIO memory() {
        return memory;
    }

    /** A libc function's address: for the few calls that are more than one system call. */
    long function(String name) {
        long address = Library.getDefault().getSymbolAddress(name);
        if (address == 0) {
            throw new IllegalStateException("libc has no " + name + ": " + Library.getLastError());
        }
        return address;
    }

    /**
     * function(a...) with up to six integer or pointer arguments, returning a long. A function
     * that takes fewer ignores the rest: x86-64 passes the first six in registers.
     */
    long callFunction(long function, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return invoker.invokeL6(sixLongs, function, a[0], a[1], a[2], a[3], a[4], a[5]);
    }

    /** syscall(nr, a...) with up to five arguments; returns the result or -errno. */
    public long call(Syscall call, long... args) {
        long[] a = new long[5];
        System.arraycopy(args, 0, a, 0, args.length);
        long result = invoker.invokeL6(sixLongs, syscall, call.number(), a[0], a[1], a[2], a[3], a[4]);
        return result == -1 ? -LastError.getInstance().get() : result;
    }

    /** Like {@link #call} but retried while interrupted by a signal. */
    public long callRetrying(Syscall call, long... args) {
        long result;
        do {
            result = call(call, args);
        } while (result == -Linux.EINTR);
        return result;
    }

    /** openat(AT_FDCWD, path, flags): the new descriptor or -errno. */
    public long open(String path, int flags) {
        return openAt(Linux.AT_FDCWD, path, flags);
    }

    /** openat(dirfd, path, flags): the new descriptor or -errno. {@code path} is a byte string. */
    public long openAt(int dirfd, String path, int flags) {
        return withPath(path, address -> call(Syscall.OPENAT, dirfd, address, flags));
    }

    /**
     * Writes bytes to a file that exists, in one write(2), without creating or truncating it:
     * how a kernel file (/proc, /sys, cgroupfs) takes a value. 0 or -errno; a short write is
     * -EIO. {@code path} is a byte string.
     */
    public long writeExisting(String path, byte[] bytes) {
        long fd = open(path, Linux.O_WRONLY | Linux.O_CLOEXEC);
        if (fd < 0) {
            return fd;
        }
        long buffer = memory.allocateMemory(Math.max(bytes.length, 1), false);
        try {
            memory.putByteArray(buffer, bytes, 0, bytes.length);
            long written = callRetrying(Syscall.WRITE, fd, buffer, bytes.length);
            return written < 0 ? written : written == bytes.length ? 0 : -Linux.EIO;
        } finally {
            memory.freeMemory(buffer);
            close((int) fd);
        }
    }

    /** mkdirat(dirfd, path, mode): 0 or -errno. {@code path} is a byte string. */
    public long mkdirAt(int dirfd, String path, int mode) {
        return withPath(path, address -> call(Syscall.MKDIRAT, dirfd, address, mode));
    }

    /**
     * renameat2(RENAME_NOREPLACE): 0, or -errno (EEXIST when {@code to} is there). The paths
     * are byte strings.
     */
    public long renameNoReplace(String from, String to) {
        return withPath(from, a -> withPath(to, b -> call(Syscall.RENAMEAT2, Linux.AT_FDCWD, a, Linux.AT_FDCWD, b,
                Linux.RENAME_NOREPLACE)));
    }

    /** A call given the address of a native copy of {@code path} (a byte string), freed once it returns. */
    public long withPath(String path, LongUnaryOperator call) {
        long address = cString(path);
        try {
            return call.applyAsLong(address);
        } finally {
            memory.freeMemory(address);
        }
    }

    /** The target of a symbolic link as a byte string (Java's readSymbolicLink decodes it lossily), or the errno. */
    public Result<String> readLink(String path) {
        long address = cString(path);
        long buffer = memory.allocateMemory(Linux.PATH_MAX, false);
        try {
            long length = call(Syscall.READLINKAT, Linux.AT_FDCWD, address, buffer, Linux.PATH_MAX);
            if (length < 0) {
                return new Result<>(null, (int) -length);
            }
            byte[] target = new byte[(int) length];
            memory.getByteArray(buffer, target, 0, target.length);
            return new Result<>(ByteStrings.of(target), 0);
        } finally {
            memory.freeMemory(buffer);
            memory.freeMemory(address);
        }
    }

    /**
     * Bytes from the kernel's random pool, by getrandom(2): what SecureRandom would give, without
     * setting up the JDK's security providers, which took a launch 5-25 ms interpreted.
     */
    public byte[] randomBytes(int count) {
        long buffer = memory.allocateMemory(count, false);
        try {
            long got = callRetrying(Syscall.GETRANDOM, buffer, count, 0);
            if (got != count) {
                throw new IllegalStateException("getrandom: " + (got < 0 ? errorText((int) -got) : "short read"));
            }
            byte[] bytes = new byte[count];
            memory.getByteArray(buffer, bytes, 0, count);
            return bytes;
        } finally {
            memory.freeMemory(buffer);
        }
    }

    /** A value, or the errno of the call that did not give one. */
    public record Result<T>(T value, int errno) {
        public boolean ok() {
            return errno == 0;
        }
    }

    public void close(int fd) {
        call(Syscall.CLOSE, fd);
    }

    /** A NUL-terminated copy of a byte string in native memory, for the caller to free. */
    private long cString(String value) {
        byte[] bytes = ByteStrings.cString(value);
        long address = memory.allocateMemory(bytes.length, false);
        memory.putByteArray(address, bytes, 0, bytes.length);
        return address;
    }

    /** Signals that have a handler in this process now (neither SIG_DFL nor SIG_IGN). */
    public List<Integer> handledSignals() {
        List<Integer> handled = new ArrayList<>();
        long old = memory.allocateMemory(Linux.SIGACTION_SIZE, true);
        try {
            for (int signal = 1; signal <= Linux.NSIG; signal++) {
                if (signal == Linux.SIGKILL || signal == Linux.SIGSTOP) {
                    continue;
                }
                if (call(Syscall.RT_SIGACTION, signal, 0, old, Linux.SIGSET_SIZE) == 0) {
                    long handler = memory.getLong(old);
                    if (handler != 0 && handler != 1) {
                        handled.add(signal);
                    }
                }
            }
        } finally {
            memory.freeMemory(old);
        }
        return handled;
    }

    /** The C library's text for an errno value, as strerror(3) gives it. */
    public String errorText(int errno) {
        long text = invoker.invokeL1(intToPointer, strerror, errno);
        return ByteStrings.of(memory.getZeroTerminatedByteArray(text)); // the locale's bytes, printed as they are
    }
}
