package dev.isolate.sys;

import dev.isolate.linux.Linux;
import java.io.ByteArrayOutputStream;

/**
 * An anonymous file in memory (memfd_create, close-on-exec): what a program is given to read,
 * or what it writes, read back once it has ended. Unlike a pipe it never fills, so nothing has
 * to drain it while the program runs.
 */
public final class MemoryFile implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    private static final int SEEK_SET = 0;
    private static final int SEEK_CUR = 1;

    private final Kernel kernel;
    private final int fd;

    private MemoryFile(Kernel kernel, int fd) {
        this.kernel = kernel;
        this.fd = fd;
    }

    /** An empty one; its name only shows in /proc/PID/fd. */
    public static Kernel.Result<MemoryFile> create(String name) {
        Kernel kernel = Kernel.get();
        long fd = kernel.withPath(name, address -> kernel.call(Syscall.MEMFD_CREATE, address, Linux.MFD_CLOEXEC));
        return fd < 0 ? new Kernel.Result<>(null, (int) -fd) : new Kernel.Result<>(new MemoryFile(kernel, (int) fd), 0);
    }

    /** One that holds these bytes, its offset back at the start for a program that reads it. */
    public static Kernel.Result<MemoryFile> holding(String name, byte[] content) {
        Kernel.Result<MemoryFile> created = create(name);
        if (!created.ok()) {
            return created;
        }
        MemoryFile file = created.value();
        int errno = file.write(content);
        if (errno == 0) {
            long result = file.kernel.call(Syscall.LSEEK, file.fd, 0, SEEK_SET);
            errno = result < 0 ? (int) -result : 0;
        }
        if (errno != 0) {
            file.close();
            return new Kernel.Result<>(null, errno);
        }
        return created;
    }

    public int fd() {
        return fd;
    }

    /**
     * Its offset, which a program given it as a descriptor shares: how far that program read
     * (or wrote); or -errno.
     */
    public long offset() {
        return kernel.call(Syscall.LSEEK, fd, 0, SEEK_CUR);
    }

    /** Everything in it, from the start whatever its offset: the bytes, or the errno of a read. */
    public Kernel.Result<byte[]> contents() {
        long buffer = kernel.memory().allocateMemory(CHUNK, false);
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            byte[] chunk = new byte[CHUNK];
            while (true) {
                long n = kernel.callRetrying(Syscall.PREAD64, fd, buffer, CHUNK, bytes.size());
                if (n < 0) {
                    return new Kernel.Result<>(null, (int) -n);
                }
                if (n == 0) {
                    return new Kernel.Result<>(bytes.toByteArray(), 0);
                }
                kernel.memory().getByteArray(buffer, chunk, 0, (int) n);
                bytes.write(chunk, 0, (int) n);
            }
        } finally {
            kernel.memory().freeMemory(buffer);
        }
    }

    private int write(byte[] content) {
        if (content.length == 0) {
            return 0;
        }
        long buffer = kernel.memory().allocateMemory(content.length, false);
        try {
            kernel.memory().putByteArray(buffer, content, 0, content.length);
            for (int written = 0; written < content.length;) {
                long n = kernel.callRetrying(Syscall.WRITE, fd, buffer + written, content.length - written);
                if (n < 0) {
                    return (int) -n;
                }
                written += (int) n;
            }
            return 0;
        } finally {
            kernel.memory().freeMemory(buffer);
        }
    }

    @Override
    public void close() {
        kernel.close(fd);
    }
}
