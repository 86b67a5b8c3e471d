package dev.isolate.exit;

/**
 * Makes a message safe to print as one line: user input quoted in it may hold newlines, ESC
 * sequences or bidirectional overrides that would split the line or drive the terminal.
 * Such characters are written as escapes, as {@code printf %q} and {@code ls
 * --quoting-style=escape} write them; valid UTF-8 text is left as it is.
 *
 * <p>isolate's strings carry the bytes the user gave, one char per byte; a char above 0xff
 * (isolate's own text) is taken as the code point it is.
 */
public final class Messages {
    private Messages() {
    }

    public static String line(String message) {
        StringBuilder out = new StringBuilder(message.length());
        for (int at = 0; at < message.length();) {
            char c = message.charAt(at);
            if (c < 0x80) {
                appendAscii(out, c);
                at++;
            } else if (c <= 0xff) {
                int length = utf8Sequence(message, at);
                if (length > 0) {
                    out.append(message, at, at + length);
                    at += length;
                } else {
                    out.append(String.format("\\x%02x", (int) c));
                    at++;
                }
            } else {
                int codePoint = message.codePointAt(at);
                if (printable(codePoint)) {
                    out.appendCodePoint(codePoint);
                } else {
                    out.append(String.format("\\u%04x", codePoint));
                }
                at += Character.charCount(codePoint);
            }
        }
        return out.toString();
    }

    private static void appendAscii(StringBuilder out, char c) {
        switch (c) {
            case '\n' -> out.append("\\n");
            case '\t' -> out.append("\\t");
            case '\r' -> out.append("\\r");
            case 0x1b -> out.append("\\e");
            default -> {
                if (c < 0x20 || c == 0x7f) {
                    out.append(String.format("\\x%02x", (int) c));
                } else {
                    out.append(c);
                }
            }
        }
    }

    /** The length of the valid, printable UTF-8 sequence of bytes starting at {@code at}, or 0. */
    private static int utf8Sequence(String bytes, int at) {
        int lead = bytes.charAt(at);
        int length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 && lead < 0xe0 ? 2 : 0;
        if (length == 0 || at + length > bytes.length()) {
            return 0;
        }
        int codePoint = lead & (0x7f >> length);
        for (int i = 1; i < length; i++) {
            int next = bytes.charAt(at + i);
            if (next < 0x80 || next > 0xbf) {
                return 0;
            }
            codePoint = codePoint << 6 | next & 0x3f;
        }
        boolean shortest = length == 2 || length == 3 && codePoint >= 0x800 || length == 4 && codePoint >= 0x10000;
        boolean valid = shortest && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
        return valid && printable(codePoint) ? length : 0;
    }

    /** Not a control character (C0, DEL, C1) and not a bidirectional format character. */
    private static boolean printable(int codePoint) {
        boolean control = codePoint < 0x20 || codePoint >= 0x7f && codePoint <= 0x9f;
        boolean bidi = codePoint == 0x061c || codePoint == 0x200e || codePoint == 0x200f
                || codePoint >= 0x202a && codePoint <= 0x202e || codePoint >= 0x2066 && codePoint <= 0x2069;
        return !control && !bidi;
    }
}
