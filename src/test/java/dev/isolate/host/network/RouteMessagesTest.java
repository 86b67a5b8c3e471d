package dev.isolate.host.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.spec.Cidr;
import dev.isolate.spec.Ipv4;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The messages byte for byte, as rtnetlink(7) lays them out (x86-64: little-endian headers). */
class RouteMessagesTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void aVethPairIsOneMessageWithItsPeerNestedAndMadeInTheContainersNamespace() {
        // The 104 bytes ip link add iso1 type veth peer name eth0 netns /proc/PID/ns/net sends.
        assertEquals("68000000" + "1000" + "0106" + "00000000" + "00000000" // nlmsghdr: RTM_NEWLINK, REQUEST|EXCL|CREATE
                + "00000000000000000000000000000000" // ifinfomsg
                + "0900" + "0300" + "69736f3100" + "000000" // IFLA_IFNAME "iso1"
                + "3c00" + "1200" // IFLA_LINKINFO
                + "0900" + "0100" + "7665746800" + "000000" // IFLA_INFO_KIND "veth"
                + "2c00" + "0200" // IFLA_INFO_DATA
                + "2800" + "0100" // VETH_INFO_PEER: an ifinfomsg, then the peer's attributes
                + "00000000000000000000000000000000"
                + "0900" + "0300" + "6574683000" + "000000" // IFLA_IFNAME "eth0"
                + "0800" + "1c00" + "07000000", // IFLA_NET_NS_FD 7
                HEX.formatHex(RouteMessages.newVeth("iso1", "eth0", 7, Optional.empty(), OptionalInt.empty())));
    }

    @Test
    void theMtuGoesToBothEndsAndTheAddressToThePeer() {
        String message = HEX.formatHex(RouteMessages.newVeth("iso1", "eth0", 7, Optional.of("02:00:00:00:00:42"),
                OptionalInt.of(1400)));
        String mtu = "0800" + "0400" + "78050000";
        String peer = "0900" + "0300" + "6574683000" + "000000" + mtu + "0a00" + "0100" + "020000000042" + "0000"
                + "0800" + "1c00" + "07000000";
        assertEquals("0900" + "0300" + "69736f3100" + "000000" + mtu, message.substring(64, 64 + 40));
        assertEquals(peer, message.substring(message.length() - peer.length()));
    }

    @Test
    void addressesRoutesAndLinkChanges() {
        assertEquals("28000000" + "1400" + "0106" + "0000000000000000" // RTM_NEWADDR
                + "02100000" + "07000000" // ifaddrmsg: AF_INET, /16, index 7
                + "0800" + "0200" + "0a580002" // IFA_LOCAL 10.88.0.2
                + "0800" + "0100" + "0a580002", // IFA_ADDRESS
                HEX.formatHex(RouteMessages.newAddress(7, Cidr.parse("t", "10.88.0.2/16"))));
        assertEquals("24000000" + "1800" + "0106" + "0000000000000000" // RTM_NEWROUTE
                + "02000000" + "fe030001" + "00000000" // rtmsg: AF_INET, main table, boot, universe, unicast
                + "0800" + "0500" + "0a580001", // RTA_GATEWAY 10.88.0.1
                HEX.formatHex(RouteMessages.defaultRoute(Ipv4.parse("t", "10.88.0.1"))));
        assertEquals("28000000" + "1000" + "0100" + "0000000000000000" // RTM_NEWLINK, no create
                + "0000" + "0000" + "07000000" + "01000000" + "01000000" // index 7, IFF_UP set and changed
                + "0800" + "0a00" + "03000000", // IFLA_MASTER 3
                HEX.formatHex(RouteMessages.setUp(7, OptionalInt.of(3))));
        assertEquals("2c00000011000100", HEX.formatHex(RouteMessages.deleteLink("iso1")).substring(0, 16));
        assertEquals("1600" + "0103", HEX.formatHex(RouteMessages.getAddresses()).substring(8, 16)); // RTM_GETADDR, REQUEST|DUMP
    }

    @Test
    void aLinkReplyGivesItsNumberAndKindAndTheAddressDumpItsFirstIpv4Address() {
        ByteBuffer link = message(16, 5, HEX.parseHex("0900" + "0300" + "62723000" + "00" + "000000" // IFLA_IFNAME
                + "1000" + "1280" // IFLA_LINKINFO, with NLA_F_NESTED
                + "0b00" + "0100" + "6272696467650000")); // IFLA_INFO_KIND "bridge"
        assertEquals(5, RouteMessages.index(link));
        assertEquals(Optional.of("bridge"), RouteMessages.kind(link));
        assertEquals(Optional.empty(), RouteMessages.kind(message(16, 1, new byte[0])));
        List<ByteBuffer> addresses = List.of(address(4, 8, "7f000001"), address(5, 16, "0a580001"),
                address(5, 24, "0a590001"));
        assertEquals(Optional.of(Cidr.parse("t", "10.88.0.1/16")), RouteMessages.address(addresses, 5));
        assertEquals(Optional.empty(), RouteMessages.address(addresses, 6));
    }

    /** A reply to RTM_GETLINK: nlmsghdr, ifinfomsg with the link's number, attributes. */
    private static ByteBuffer message(int type, int index, byte[] attributes) {
        ByteBuffer b = ByteBuffer.allocate(32 + attributes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(32 + attributes.length).putShort((short) type).putShort((short) 0).putInt(1).putInt(0);
        b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(0).putInt(0).put(attributes);
        return b.flip();
    }

    /** One RTM_NEWADDR of a dump: ifaddrmsg, IFA_ADDRESS and IFA_LOCAL. */
    private static ByteBuffer address(int index, int prefix, String bits) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(40).putShort((short) 20).putShort((short) 2).putInt(1).putInt(0);
        b.put((byte) 2).put((byte) prefix).put((byte) 0).put((byte) 0).putInt(index);
        b.putShort((short) 8).putShort((short) 1).put(HEX.parseHex(bits));
        b.putShort((short) 8).putShort((short) 2).put(HEX.parseHex(bits));
        return b.flip();
    }
}
