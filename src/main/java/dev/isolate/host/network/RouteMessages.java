package dev.isolate.host.network;

import static dev.isolate.linux.Linux.AF_INET;
import static dev.isolate.linux.Linux.IFF_UP;
import static dev.isolate.linux.Linux.NLMSG_HDRLEN;
import static dev.isolate.linux.Linux.NLM_F_CREATE;
import static dev.isolate.linux.Linux.NLM_F_DUMP;
import static dev.isolate.linux.Linux.NLM_F_EXCL;
import static dev.isolate.linux.Linux.NLM_F_REQUEST;

import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The rtnetlink messages of isolate's links, addresses and routes, as ip(8) sends them for
 * the commands of the same name (rtnetlink(7)), and what isolate reads of the replies. Pure:
 * the socket (sys.Netlink) numbers and sends them.
 */
final class RouteMessages {
    private static final int RTM_NEWLINK = 16;
    private static final int RTM_DELLINK = 17;
    private static final int RTM_GETLINK = 18;
    private static final int RTM_NEWADDR = 20;
    private static final int RTM_GETADDR = 22;
    private static final int RTM_NEWROUTE = 24;

    private static final int IFLA_ADDRESS = 1;
    private static final int IFLA_IFNAME = 3;
    private static final int IFLA_MTU = 4;
    private static final int IFLA_MASTER = 10;
    private static final int IFLA_LINKINFO = 18;
    private static final int IFLA_NET_NS_FD = 28;
    private static final int IFLA_INFO_KIND = 1;
    private static final int IFLA_INFO_DATA = 2;
    private static final int VETH_INFO_PEER = 1;
    private static final int IFA_ADDRESS = 1;
    private static final int IFA_LOCAL = 2;
    private static final int RTA_GATEWAY = 5;
    private static final int RT_TABLE_MAIN = 254;
    private static final int RTPROT_BOOT = 3;
    private static final int RT_SCOPE_UNIVERSE = 0;
    private static final int RTN_UNICAST = 1;
    /** An attribute's type carries these flags above its number. */
    private static final int TYPE_MASK = 0x3fff;
    private static final int IFINFOMSG_SIZE = 16;
    private static final int IFADDRMSG_SIZE = 8;
    private static final int RTMSG_SIZE = 12;
    private static final int CREATE = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;

    private RouteMessages() {
    }

    /**
     * ip link add HOST [mtu M] type veth peer name PEER [mtu M] [address MAC] netns NETNS: the
     * peer made right in the namespace whose descriptor is {@code namespaceFd}.
     */
    static byte[] newVeth(String host, String peer, int namespaceFd, Optional<String> mac, OptionalInt mtu) {
        Message peerInfo = new Message().ifinfo(0, 0).string(IFLA_IFNAME, peer);
        mtu.ifPresent(value -> peerInfo.int32(IFLA_MTU, value));
        mac.ifPresent(address -> peerInfo.bytes(IFLA_ADDRESS, HexFormat.ofDelimiter(":").parseHex(address)));
        peerInfo.int32(IFLA_NET_NS_FD, namespaceFd);
        Message link = new Message().ifinfo(0, 0).string(IFLA_IFNAME, host);
        mtu.ifPresent(value -> link.int32(IFLA_MTU, value));
        Message data = new Message().nested(VETH_INFO_PEER, peerInfo);
        Message info = new Message().string(IFLA_INFO_KIND, "veth").nested(IFLA_INFO_DATA, data);
        return link.nested(IFLA_LINKINFO, info).finish(RTM_NEWLINK, CREATE);
    }

    /** ip link add NAME type bridge. */
    static byte[] newBridge(String name) {
        Message info = new Message().string(IFLA_INFO_KIND, "bridge");
        return new Message().ifinfo(0, 0).string(IFLA_IFNAME, name).nested(IFLA_LINKINFO, info)
                .finish(RTM_NEWLINK, CREATE);
    }

    /** ip link set (the link numbered index) [master (the link numbered master)] up. */
    static byte[] setUp(int index, OptionalInt master) {
        Message link = new Message().ifinfo(index, IFF_UP);
        master.ifPresent(value -> link.int32(IFLA_MASTER, value));
        return link.finish(RTM_NEWLINK, NLM_F_REQUEST);
    }

    /** ip addr add ADDRESS/PREFIX dev (the link numbered index). */
    static byte[] newAddress(int index, Cidr address) {
        byte[] bits = bits(address.address());
        return new Message().ifaddr(address.prefix(), index).bytes(IFA_LOCAL, bits).bytes(IFA_ADDRESS, bits)
                .finish(RTM_NEWADDR, CREATE);
    }

    /** ip route add default via GATEWAY. */
    static byte[] defaultRoute(Ipv4 gateway) {
        return new Message().rtmsg().bytes(RTA_GATEWAY, bits(gateway)).finish(RTM_NEWROUTE, CREATE);
    }

    /** ip link del NAME. */
    static byte[] deleteLink(String name) {
        return new Message().ifinfo(0, 0).string(IFLA_IFNAME, name).finish(RTM_DELLINK, NLM_F_REQUEST);
    }

    /** ip link show NAME: answered by one RTM_NEWLINK, read by {@link #index} and {@link #kind}. */
    static byte[] getLink(String name) {
        return new Message().ifinfo(0, 0).string(IFLA_IFNAME, name).finish(RTM_GETLINK, NLM_F_REQUEST);
    }

    /** ip -4 addr show: every IPv4 address, read by {@link #address}. */
    static byte[] getAddresses() {
        return new Message().ifaddr(0, 0).finish(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP);
    }

    /** The link's number, from a reply to {@link #getLink}. */
    static int index(ByteBuffer link) {
        return link.getInt(NLMSG_HDRLEN + 4);
    }

    /** The link's kind ("bridge", "veth"), from a reply to {@link #getLink}; none for a device like lo. */
    static Optional<String> kind(ByteBuffer link) {
        return attribute(link, NLMSG_HDRLEN + IFINFOMSG_SIZE, link.limit(), IFLA_LINKINFO)
                .flatMap(info -> attribute(link, info[0], info[1], IFLA_INFO_KIND))
                .map(kind -> new String(link.array(), link.arrayOffset() + kind[0], kind[1] - kind[0],
                        StandardCharsets.ISO_8859_1).replace("\0", ""));
    }

    /** The first IPv4 address (the primary) of the link numbered index, from the replies to {@link #getAddresses}. */
    static Optional<Cidr> address(List<ByteBuffer> addresses, int index) {
        for (ByteBuffer message : addresses) {
            if (message.getShort(4) != RTM_NEWADDR || message.get(NLMSG_HDRLEN) != AF_INET
                    || message.getInt(NLMSG_HDRLEN + 4) != index) {
                continue;
            }
            int prefix = Byte.toUnsignedInt(message.get(NLMSG_HDRLEN + 1));
            int start = NLMSG_HDRLEN + IFADDRMSG_SIZE;
            Optional<int[]> local = attribute(message, start, message.limit(), IFA_LOCAL)
                    .or(() -> attribute(message, start, message.limit(), IFA_ADDRESS));
            if (local.isPresent() && local.get()[1] - local.get()[0] == 4) {
                int at = local.get()[0];
                int bits = 0;
                for (int i = 0; i < 4; i++) {
                    bits = bits << 8 | Byte.toUnsignedInt(message.get(at + i)); // network byte order
                }
                return Optional.of(new Cidr(new Ipv4(bits), prefix));
            }
        }
        return Optional.empty();
    }

    /** Where the payload of the first attribute of this type between from and to lies: {start, end}. */
    private static Optional<int[]> attribute(ByteBuffer message, int from, int to, int type) {
        for (int at = from; at + 4 <= to; ) {
            int length = Short.toUnsignedInt(message.getShort(at));
            if (length < 4 || at + length > to) {
                return Optional.empty();
            }
            if ((message.getShort(at + 2) & TYPE_MASK) == type) {
                return Optional.of(new int[] {at + 4, at + length});
            }
            at += (length + 3) & ~3;
        }
        return Optional.empty();
    }

    private static byte[] bits(Ipv4 address) {
        return ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN).putInt(address.bits()).array();
    }

    /** A message's body as it is built: its fixed part, then attributes, each padded to 4 bytes. */
    private static final class Message {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        /** struct ifinfomsg: any family, the link's number (0: by name), the flags set (and only those changed). */
        Message ifinfo(int index, int flags) {
            return put(ByteBuffer.allocate(IFINFOMSG_SIZE).order(ByteOrder.nativeOrder()).putInt(4, index)
                    .putInt(8, flags).putInt(12, flags).array());
        }

        /** struct ifaddrmsg: IPv4, global scope. */
        Message ifaddr(int prefix, int index) {
            return put(ByteBuffer.allocate(IFADDRMSG_SIZE).order(ByteOrder.nativeOrder()).put(0, (byte) AF_INET)
                    .put(1, (byte) prefix).putInt(4, index).array());
        }

        /** struct rtmsg: an IPv4 unicast route of the main table, as ip route add makes one. */
        Message rtmsg() {
            return put(ByteBuffer.allocate(RTMSG_SIZE).order(ByteOrder.nativeOrder()).put(0, (byte) AF_INET)
                    .put(4, (byte) RT_TABLE_MAIN).put(5, (byte) RTPROT_BOOT).put(6, (byte) RT_SCOPE_UNIVERSE)
                    .put(7, (byte) RTN_UNICAST).array());
        }

        Message string(int type, String value) {
            byte[] text = value.getBytes(StandardCharsets.ISO_8859_1);
            byte[] terminated = new byte[text.length + 1];
            System.arraycopy(text, 0, terminated, 0, text.length);
            return bytes(type, terminated);
        }

        Message int32(int type, int value) {
            return bytes(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
        }

        Message nested(int type, Message inner) {
            return bytes(type, inner.bytes.toByteArray());
        }

        Message bytes(int type, byte[] payload) {
            put(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putShort((short) (4 + payload.length))
                    .putShort((short) type).array());
            return put(payload).put(new byte[-payload.length & 3]);
        }

        private Message put(byte[] part) {
            bytes.writeBytes(part);
            return this;
        }

        /** The whole message: struct nlmsghdr (its sequence number left to the socket), then the body. */
        byte[] finish(int type, int flags) {
            byte[] body = bytes.toByteArray();
            return ByteBuffer.allocate(NLMSG_HDRLEN + body.length).order(ByteOrder.nativeOrder())
                    .putInt(NLMSG_HDRLEN + body.length).putShort((short) type).putShort((short) flags).putInt(0)
                    .putInt(0).put(body).array();
        }
    }
}
