package dev.isolate.host.network;

import dev.isolate.dryrun.HostAction;
import dev.isolate.dryrun.StraceNotation;
import dev.isolate.exit.Failure;
import dev.isolate.spec.Network;
import dev.isolate.spec.PublishedPort;
import dev.isolate.state.RuntimeDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * --network slirp: slirp4netns, an unprivileged user-mode TCP/IP stack, joins the
 * container's namespaces and serves a tap device there (10.0.2.100/24, gateway 10.0.2.2,
 * DNS 10.0.2.3). It exits when its stdin, a pipe only isolate holds, closes: so it ends with
 * isolate, even when isolate is killed. Published ports go through its API socket.
 */
final class Slirp implements Attachment {
    static final String PROGRAM = "slirp4netns";
    /** slirp4netns's recommendation: fewer, larger packets through the user-mode stack. */
    static final int DEFAULT_MTU = 65520;
    /**
     * How long slirp4netns may take to say it is ready: measured, 15 to 200 ms; 5 s allows for
     * a loaded machine, and one that hangs fails the launch soon instead of holding it forever.
     */
    private static final int READY_SECONDS = 5;

    private final Network network;
    private final String program;
    private final Path socket;
    private final Path log;
    private Process process;

    private Slirp(Network network, String program, Path entry) {
        this.network = network;
        this.program = program;
        this.socket = Path.of(entry + ".sock");
        this.log = Path.of(entry + ".log");
    }

    static Slirp prepare(Network network, String program, long uid, Map<String, String> environment) {
        return new Slirp(network, program, RuntimeDirectory.ownEntry(uid, environment, RuntimeDirectory.Owned.SLIRP));
    }

    /** What {@link #attach} would do, for a dry run; its files are named after this isolate. */
    static List<HostAction> dryRun(Network network, String program, long uid, Map<String, String> environment) {
        Slirp slirp = new Slirp(network, program, RuntimeDirectory.ownEntryPath(uid, environment,
                RuntimeDirectory.Owned.SLIRP));
        List<String> lines = new ArrayList<>();
        lines.add(String.join(" ", slirp.command(StraceNotation.CHILD)) + " 2>" + slirp.log
                + "  (stdin: a pipe only isolate holds; wait up to " + READY_SECONDS + " s for '1' on stdout)");
        for (PublishedPort port : network.published()) {
            lines.add("to " + slirp.socket + ": " + slirp.forwarding(port));
        }
        return List.of(HostAction.whileWaiting("start " + PROGRAM + " in the child's namespaces", lines));
    }

    private List<String> command(String pid) {
        List<String> command = new ArrayList<>(List.of(program, "--configure", "--disable-host-loopback",
                "--mtu=" + network.mtu().orElse(DEFAULT_MTU), "--ready-fd=1", "--exit-fd=0"));
        if (!network.published().isEmpty()) {
            command.add("--api-socket=" + socket);
        }
        command.add(pid);
        command.add("tap0");
        return command;
    }

    @Override
    public void attach(int pid) {
        List<String> command = command(Integer.toString(pid));
        try {
            process = new ProcessBuilder(command).redirectError(log.toFile()).start();
            int ready = readyByte();
            if (ready != '1') {
                process.waitFor(5, TimeUnit.SECONDS);
                throw Failure.step("--network slirp: " + program + ": " + lastLine());
            }
            for (PublishedPort port : network.published()) {
                forward(port);
            }
        } catch (IOException e) {
            throw Failure.step("--network slirp: " + program + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw Failure.step("--network slirp: interrupted");
        }
    }

    /** The first byte on slirp4netns's ready descriptor (-1 if it closed it), within {@link #READY_SECONDS}. */
    private int readyByte() throws InterruptedException {
        InputStream readyPipe = process.getInputStream();
        CompletableFuture<Integer> ready = CompletableFuture.supplyAsync(() -> {
            try {
                return readyPipe.read();
            } catch (IOException e) {
                return -1;
            }
        });
        try {
            return ready.get(READY_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            kill();
            throw Failure.step("--network slirp: " + program + ": not ready within " + READY_SECONDS
                    + " s (killed it)");
        } catch (ExecutionException e) {
            return -1;
        }
    }

    /** SIGKILL for slirp4netns and what it started, when it does not heed its exit pipe. */
    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().onExit().join();
    }

    private void forward(PublishedPort port) throws IOException {
        String request = forwarding(port);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput();
            ByteBuffer buffer = ByteBuffer.allocate(4096);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) {
                // slirp4netns answers with one JSON object, then closes
            }
            String reply = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
            if (!reply.contains("\"return\"")) {
                String why = reply.replaceAll("(?s).*\"desc\":\\s*\"([^\"]*)\".*", "$1");
                throw Failure.step("--publish " + port + ": " + program + ": " + why.strip());
            }
        }
    }

    /** The API request that publishes a port. */
    private String forwarding(PublishedPort port) {
        return "{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"" + port.protocol().lowerCase()
                + "\", \"host_addr\": \"0.0.0.0\", \"host_port\": " + port.hostPort() + ", \"guest_port\": "
                + port.containerPort() + "}}";
    }

    private String lastLine() {
        try {
            return Files.readAllLines(log).stream().filter(line -> !line.isBlank()).reduce((a, b) -> b)
                    .orElse("exited before it was ready");
        } catch (IOException e) {
            return "exited before it was ready";
        }
    }

    @Override
    public void close() {
        if (process != null) {
            try {
                OutputStream exitPipe = process.getOutputStream();
                exitPipe.close();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    kill();
                }
            } catch (IOException | InterruptedException e) {
                kill();
            }
        }
        for (Path file : List.of(socket, log)) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // one left behind is named after this isolate: the next launch or gc removes it
            }
        }
    }
}
