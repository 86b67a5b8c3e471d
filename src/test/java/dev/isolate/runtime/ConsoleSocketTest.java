package dev.isolate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.exit.Failure;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message as the engines' receivers read it: its data, the terminal's name (Java cannot
 * take the descriptor; the engine tests show podman's conmon taking it for run -it).
 */
class ConsoleSocketTest {
    @TempDir
    Path directory;

    @Test
    void oneMessageNamingTheTerminal() throws Exception {
        Path path = directory.resolve("console.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            CompletableFuture<String> received = CompletableFuture.supplyAsync(() -> {
                try (SocketChannel client = server.accept()) {
                    ByteBuffer buffer = ByteBuffer.allocate(64);
                    while (client.read(buffer) >= 0) {
                        // until the sender closes
                    }
                    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            ConsoleSocket.send(path, 0);
            assertEquals("/dev/ptmx", received.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void noOneListeningIsOneLine() {
        Failure failure = assertThrows(Failure.class, () -> ConsoleSocket.send(directory.resolve("none.sock"), 0));
        assertTrue(failure.getMessage().endsWith("none.sock: connect: No such file or directory"),
                failure.getMessage());
    }

    @Test
    void aPathTooLongForASocketIsRefusedUpFront() {
        Failure failure = assertThrows(Failure.class, () -> ConsoleSocket.require(Path.of("/" + "s".repeat(120))));
        assertTrue(failure.getMessage().endsWith("longer than the 107 bytes a socket's path may have"),
                failure.getMessage());
    }
}
