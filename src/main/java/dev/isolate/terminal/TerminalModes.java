package dev.isolate.terminal;

import static dev.isolate.linux.Linux.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A struct termios as TCGETS fills it ({@link dev.isolate.linux.Linux#TERMIOS_SIZE} bytes), read and changed as bytes. */
final class TerminalModes {
    private static final int IFLAG = 0;
    private static final int OFLAG = 4;
    private static final int CFLAG = 8;
    private static final int LFLAG = 12;

    private TerminalModes() {
    }

    /** The same modes made raw, as cfmakeraw(3) makes them: bytes in and out as they are, no signals, no echo. */
    static byte[] raw(byte[] modes) {
        ByteBuffer raw = buffer(modes.clone());
        raw.putInt(IFLAG, raw.getInt(IFLAG) & ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON));
        raw.putInt(OFLAG, raw.getInt(OFLAG) & ~OPOST);
        raw.putInt(CFLAG, (raw.getInt(CFLAG) & ~(CSIZE | PARENB)) | CS8);
        raw.putInt(LFLAG, raw.getInt(LFLAG) & ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN));
        raw.put(TERMIOS_CC + VMIN, (byte) 1);
        raw.put(TERMIOS_CC + VTIME, (byte) 0);
        return raw.array();
    }

    /** Whether input is read line by line, where the end-of-file character means end-of-file. */
    static boolean canonical(byte[] modes) {
        return (buffer(modes).getInt(LFLAG) & ICANON) != 0;
    }

    static byte endOfFile(byte[] modes) {
        return modes[TERMIOS_CC + VEOF];
    }

    private static ByteBuffer buffer(byte[] modes) {
        if (modes.length != TERMIOS_SIZE) {
            throw new IllegalArgumentException("a struct termios has " + TERMIOS_SIZE + " bytes, not " + modes.length);
        }
        return ByteBuffer.wrap(modes).order(ByteOrder.nativeOrder());
    }
}
