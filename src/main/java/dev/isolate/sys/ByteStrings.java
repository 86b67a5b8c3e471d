package dev.isolate.sys;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Strings that carry bytes, one char per byte (ISO-8859-1): the form isolate keeps every
 * argument, environment variable and path it takes from its caller in, and writes back to
 * the kernel unchanged.
 *
 * <p>Linux passes bytes, not text. The JVM decodes its arguments and environment with the
 * locale's charset, which loses bytes (under LANG=C everything above 0x7f becomes U+FFFD,
 * under UTF-8 every byte that is not UTF-8 does), and names files with the same charset
 * (sun.jnu.encoding, which no option overrides). ISO-8859-1 is the one charset that maps
 * every byte to a char and back, so a byte string survives parsing, validation, messages and
 * marshalling untouched; only where a Java API insists on a Java path must it be converted,
 * through {@link #javaPath} or, for any bytes at all, a descriptor (host.OpenedPath).
 */
public final class ByteStrings {
    /** The charset the JVM names files with and decoded its arguments and environment with. */
    private static final Charset JVM = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private ByteStrings() {
    }

    public static String of(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    public static String of(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.ISO_8859_1);
    }

    /** The bytes a byte string carries. */
    public static byte[] bytes(String value) {
        return value.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A NUL-terminated copy, as C takes it. */
    public static byte[] cString(String value) {
        byte[] bytes = bytes(value);
        byte[] withNul = new byte[bytes.length + 1];
        System.arraycopy(bytes, 0, withNul, 0, bytes.length);
        return withNul;
    }

    /** The charset the JVM names files in. */
    public static Charset jvmCharset() {
        return JVM;
    }

    /** What the JVM made of these bytes when it decoded its arguments or environment. */
    public static String decodedByTheJvm(String value) {
        return new String(bytes(value), JVM);
    }

    /** The bytes a string the JVM decoded came from (a Java path's name, a user name). */
    public static String encodedByTheJvm(String decoded) {
        return of(decoded.getBytes(JVM));
    }

    /** The bytes by which the kernel knows a path that Java names. */
    public static String of(Path path) {
        return encodedByTheJvm(path.toString());
    }

    /**
     * A Java path for a byte string, when the JVM's charset can name those bytes (always for
     * ASCII); empty otherwise, and then only a descriptor reaches the file.
     */
    public static Optional<Path> javaPath(String value) {
        String decoded = decodedByTheJvm(value);
        if (!encodedByTheJvm(decoded).equals(value)) {
            return Optional.empty();
        }
        return Optional.of(Path.of(decoded));
    }
}
