package dev.isolate.spec;

import dev.isolate.exit.Failure;

/** A port of the host whose connections go to a port of the container: --publish 8080:80/tcp. */
public record PublishedPort(int hostPort, int containerPort, Protocol protocol) {
    public enum Protocol { TCP, UDP;

        public String lowerCase() {
            return name().toLowerCase();
        }
    }

    public static PublishedPort parse(String text) {
        String what = "--publish \"" + text + "\"";
        String ports = text;
        Protocol protocol = Protocol.TCP;
        int slash = text.indexOf('/');
        if (slash >= 0) {
            ports = text.substring(0, slash);
            protocol = switch (text.substring(slash + 1)) {
                case "tcp" -> Protocol.TCP;
                case "udp" -> Protocol.UDP;
                default -> throw Failure.input(what + ": the protocol is tcp or udp");
            };
        }
        String[] pair = ports.split(":", -1);
        if (pair.length != 2) {
            throw Failure.input(what + ": expected HOSTPORT:CONTAINERPORT[/tcp|udp]");
        }
        return new PublishedPort(port(what, pair[0]), port(what, pair[1]), protocol);
    }

    private static int port(String what, String text) {
        if (!text.matches("[1-9][0-9]{0,4}") || Integer.parseInt(text) > 65535) {
            throw Failure.input(what + ": \"" + text + "\" is not a port (1-65535)");
        }
        return Integer.parseInt(text);
    }

    @Override
    public String toString() {
        return hostPort + ":" + containerPort + "/" + protocol.lowerCase();
    }
}
