package dev.isolate.runtime;

import static dev.isolate.linux.Linux.*;

import com.kenai.jffi.MemoryIO;
import dev.isolate.exit.Failure;
import dev.isolate.sys.ByteStrings;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Syscall;
import java.nio.file.Path;

/**
 * --console-socket: the container's pseudo-terminal master handed to the engine. As runc's
 * utils.SendFile does, and as conmon's and containerd's receivers expect: one sendmsg on a
 * connected AF_UNIX stream socket whose data is the terminal's name and whose one SCM_RIGHTS
 * message carries the descriptor.
 */
public final class ConsoleSocket {
    /** What runc names the master it sends; receivers keep the descriptor, not the name. */
    private static final String NAME = "/dev/ptmx";
    /** sun_path's room, its NUL included. */
    private static final int PATH_ROOM = SOCKADDR_UN_SIZE - 2;

    private ConsoleSocket() {
    }

    /** A socket path that fits in sockaddr_un, or a one-line error (checked before anything is made). */
    public static Path require(Path socket) {
        if (ByteStrings.cString(ByteStrings.of(socket)).length > PATH_ROOM) {
            throw Failure.input("--console-socket " + socket + ": longer than the " + (PATH_ROOM - 1)
                    + " bytes a socket's path may have");
        }
        return socket;
    }

    /** Connects to the socket at {@code socket} and sends {@code master} over it. */
    public static void send(Path socket, int master) {
        Kernel kernel = Kernel.get();
        MemoryIO memory = kernel.memory();
        long fd = kernel.call(Syscall.SOCKET, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Failure.step("--console-socket: socket: " + kernel.errorText((int) -fd));
        }
        byte[] path = ByteStrings.cString(ByteStrings.of(require(socket)));
        byte[] name = ByteStrings.bytes(NAME);
        long address = memory.allocateMemory(SOCKADDR_UN_SIZE, true);
        long data = memory.allocateMemory(name.length, true);
        long iov = memory.allocateMemory(IOVEC_SIZE, true);
        long control = memory.allocateMemory(CMSG_ONE_FD_SPACE, true);
        long message = memory.allocateMemory(MSGHDR_SIZE, true);
        try {
            memory.putShort(address, (short) AF_UNIX);
            memory.putByteArray(address + 2, path, 0, path.length);
            long connected = kernel.callRetrying(Syscall.CONNECT, fd, address, SOCKADDR_UN_SIZE);
            if (connected < 0) {
                throw Failure.step("--console-socket " + socket + ": connect: " + kernel.errorText((int) -connected));
            }
            memory.putByteArray(data, name, 0, name.length);
            memory.putAddress(iov, data);
            memory.putLong(iov + 8, name.length);
            memory.putLong(control, CMSG_ONE_FD_LEN); // cmsg_len
            memory.putInt(control + 8, SOL_SOCKET); // cmsg_level
            memory.putInt(control + 12, SCM_RIGHTS); // cmsg_type
            memory.putInt(control + 16, master);
            memory.putAddress(message + 16, iov); // msg_iov, after msg_name and msg_namelen
            memory.putLong(message + 24, 1); // msg_iovlen
            memory.putAddress(message + 32, control); // msg_control
            memory.putLong(message + 40, CMSG_ONE_FD_SPACE); // msg_controllen
            long sent = kernel.callRetrying(Syscall.SENDMSG, fd, message, 0);
            if (sent < 0) {
                throw Failure.step("--console-socket " + socket + ": sendmsg: " + kernel.errorText((int) -sent));
            }
        } finally {
            memory.freeMemory(message);
            memory.freeMemory(control);
            memory.freeMemory(iov);
            memory.freeMemory(data);
            memory.freeMemory(address);
            kernel.close((int) fd);
        }
    }
}
