package dev.isolate.sys;

import static dev.isolate.linux.Linux.*;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A NETLINK_ROUTE socket: rtnetlink requests, each read back to the kernel's answer. It does
 * what ip(8) does for isolate's host side without a process of its own: each ip run cost a
 * launch 3-5 ms, and a bridge launch ran four. A socket belongs to the network namespace it
 * was made in; {@link #in} makes one in another namespace.
 * <p>
 * Messages are whole (header included) and in the machine's byte order; the socket numbers
 * them.
 */
public final class Netlink implements AutoCloseable {
    /** Room for one read: the kernel's dump messages fill at most 32 KiB. */
    private static final int RECEIVE_ROOM = 32768;
    private static final int MSG_TRUNC = 0x20;

    private final Kernel kernel;
    private final int fd;
    private int sequence;

    private Netlink(Kernel kernel, int fd) {
        this.kernel = kernel;
        this.fd = fd;
    }

    /** A socket in this thread's network namespace, or the errno of socket(2). */
    public static Kernel.Result<Netlink> open() {
        Kernel kernel = Kernel.get();
        long fd = kernel.call(Syscall.SOCKET, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
        return fd < 0 ? new Kernel.Result<>(null, (int) -fd) : new Kernel.Result<>(new Netlink(kernel, (int) fd), 0);
    }

    /**
     * A socket in the network namespace of {@code namespace} (a /proc/PID/ns/net): this thread
     * enters it for the one socket(2), and comes back. Entering a network namespace, unlike a
     * mount or user namespace, is a thread's own change, allowed in a process of many threads.
     *
     * @return the socket, or the errno of what failed (the open of the namespace, setns, socket)
     */
    public static Kernel.Result<Netlink> in(String namespace) {
        Kernel kernel = Kernel.get();
        long own = kernel.open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
        if (own < 0) {
            return new Kernel.Result<>(null, (int) -own);
        }
        try {
            long target = kernel.open(namespace, O_RDONLY | O_CLOEXEC);
            if (target < 0) {
                return new Kernel.Result<>(null, (int) -target);
            }
            try {
                long entered = kernel.call(Syscall.SETNS, target, CLONE_NEWNET);
                if (entered < 0) {
                    return new Kernel.Result<>(null, (int) -entered);
                }
                Kernel.Result<Netlink> socket = open();
                long back = kernel.call(Syscall.SETNS, own, CLONE_NEWNET);
                if (back < 0) {
                    // This thread's later sockets would be the container's: no way to go on.
                    throw new IllegalStateException("setns back to isolate's network namespace: "
                            + kernel.errorText((int) -back));
                }
                return socket;
            } finally {
                kernel.close((int) target);
            }
        } finally {
            kernel.close((int) own);
        }
    }

    /**
     * Sends a request that changes something (the socket asks for its acknowledgement) and
     * waits for the answer.
     *
     * @return 0, or the errno the kernel answered with
     */
    public int request(byte[] message) {
        byte[] acknowledged = message.clone();
        ByteBuffer header = ByteBuffer.wrap(acknowledged).order(ByteOrder.nativeOrder());
        header.putShort(6, (short) (header.getShort(6) | NLM_F_ACK));
        Kernel.Result<List<ByteBuffer>> answer = exchange(acknowledged);
        return answer.errno();
    }

    /**
     * Sends a request that asks (a get, or a dump) and collects the replies.
     *
     * @return the reply messages, each a buffer over one whole message in the machine's byte
     *         order, or the errno the kernel answered with
     */
    public Kernel.Result<List<ByteBuffer>> query(byte[] message) {
        return exchange(message.clone());
    }

    private Kernel.Result<List<ByteBuffer>> exchange(byte[] message) {
        MemoryIO memory = kernel.memory();
        int number = ++sequence;
        ByteBuffer.wrap(message).order(ByteOrder.nativeOrder()).putInt(8, number);
        long buffer = memory.allocateMemory(Math.max(message.length, RECEIVE_ROOM), false);
        try {
            memory.putByteArray(buffer, message, 0, message.length);
            long sent = kernel.callRetrying(Syscall.SENDTO, fd, buffer, message.length, 0, 0);
            if (sent < 0) {
                return new Kernel.Result<>(null, (int) -sent);
            }
            List<ByteBuffer> replies = new ArrayList<>();
            while (true) {
                long received = kernel.callRetrying(Syscall.RECVFROM, fd, buffer, RECEIVE_ROOM, MSG_TRUNC, 0);
                if (received < 0) {
                    return new Kernel.Result<>(null, (int) -received);
                }
                if (received > RECEIVE_ROOM) {
                    return new Kernel.Result<>(null, EMSGSIZE);
                }
                byte[] bytes = new byte[(int) received];
                memory.getByteArray(buffer, bytes, 0, bytes.length);
                ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
                for (int at = 0; at + NLMSG_HDRLEN <= bytes.length; ) {
                    int length = all.getInt(at);
                    int type = Short.toUnsignedInt(all.getShort(at + 4));
                    int flags = Short.toUnsignedInt(all.getShort(at + 6));
                    if (length < NLMSG_HDRLEN || at + length > bytes.length) {
                        return new Kernel.Result<>(null, EPROTO);
                    }
                    if (all.getInt(at + 8) == number) {
                        if (type == NLMSG_ERROR) {
                            return new Kernel.Result<>(replies, -all.getInt(at + NLMSG_HDRLEN));
                        }
                        if (type == NLMSG_DONE) {
                            return new Kernel.Result<>(replies, 0);
                        }
                        replies.add(ByteBuffer.wrap(bytes, at, length).slice().order(ByteOrder.nativeOrder()));
                        if ((flags & NLM_F_MULTI) == 0) {
                            return new Kernel.Result<>(replies, 0);
                        }
                    }
                    at += (length + 3) & ~3;
                }
            }
        } finally {
            memory.freeMemory(buffer);
        }
    }

    @Override
    public void close() {
        kernel.close(fd);
    }
}
