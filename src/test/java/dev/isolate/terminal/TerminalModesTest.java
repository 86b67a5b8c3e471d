package dev.isolate.terminal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class TerminalModesTest {
    /**
     * A new terminal's modes as Linux sets them (tty_std_termios, and what stty -g prints for
     * one: 500:5:bf:8a3b:...): ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD|HUPCL, ISIG|ICANON|ECHO|
     * ECHOE|ECHOK|ECHOCTL|ECHOKE|IEXTEN; ^C ^\ ^? ^U ^D, VTIME 0, VMIN 1.
     */
    private static byte[] cooked() {
        ByteBuffer modes = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder());
        modes.putInt(0x500).putInt(0x5).putInt(0xbf).putInt(0x8a3b).put((byte) 0);
        modes.put(new byte[] {3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0xf, 0x17, 0x16, 0, 0, 0});
        return modes.array();
    }

    private static int word(byte[] modes, int index) {
        return ByteBuffer.wrap(modes).order(ByteOrder.nativeOrder()).getInt(4 * index);
    }

    @Test
    void rawIsWhatCfmakerawMakes() {
        byte[] raw = TerminalModes.raw(cooked());
        assertEquals(0, word(raw, 0), "no CR to NL, no XON/XOFF");
        assertEquals(0x4, word(raw, 1), "no output processing (ONLCR stays, without OPOST it does nothing)");
        assertEquals(0xbf, word(raw, 2), "8 bits, no parity");
        assertEquals(0x8a3b & ~(0x1 | 0x2 | 0x8 | 0x40 | 0x8000), word(raw, 3), "no signals, no lines, no echo");
        assertEquals(1, raw[17 + 6], "VMIN: a read returns what there is, at least a byte");
        assertEquals(0, raw[17 + 5], "VTIME");
        assertEquals(4, raw[17 + 4], "the control characters stay as they were");
        assertFalse(TerminalModes.canonical(raw));
    }

    @Test
    void parityAndOtherSizesBecomeEightBits() {
        byte[] modes = cooked();
        ByteBuffer.wrap(modes).order(ByteOrder.nativeOrder()).putInt(8, 0x100 | 0x200 | 0x20); // PARENB, PARODD, CS7
        assertEquals(0x200 | 0x30, word(TerminalModes.raw(modes), 2), "CS8; PARODD means nothing without PARENB");
    }

    @Test
    void theEndOfFileCharacterOfACanonicalTerminal() {
        assertTrue(TerminalModes.canonical(cooked()));
        assertEquals(4, TerminalModes.endOfFile(cooked()));
    }

    @Test
    void onlyATermiosIsRead() {
        assertThrows(IllegalArgumentException.class, () -> TerminalModes.raw(new byte[60]));
    }
}
