package dev.isolate.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ByteStringsTest {
    @Test
    void everyByteIsOneCharAndBack() {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        String string = ByteStrings.of(all);
        assertEquals(256, string.length());
        for (int i = 0; i < all.length; i++) {
            assertEquals(i, string.charAt(i));
        }
        assertArrayEquals(all, ByteStrings.bytes(string));
        byte[] c = ByteStrings.cString(ByteStrings.of(new byte[] {(byte) 0xff, (byte) 0xc3, (byte) 0xbc}));
        assertArrayEquals(new byte[] {(byte) 0xff, (byte) 0xc3, (byte) 0xbc, 0}, c, "C gets the bytes, then a NUL");
    }

    @Test
    void javaPathsOnlyForBytesTheJvmCanName() {
        assertEquals(Optional.of(Path.of("/run/user/1000")), ByteStrings.javaPath("/run/user/1000"));
        assertEquals(Optional.empty(), ByteStrings.javaPath("/\u00ff"), "a lone 0xff is no charset's text but Latin-1's");
        String umlaut = ByteStrings.of("/\u00fc".getBytes(StandardCharsets.UTF_8));
        if (ByteStrings.jvmCharset().equals(StandardCharsets.UTF_8)) {
            assertEquals(Optional.of(Path.of("/\u00fc")), ByteStrings.javaPath(umlaut));
            assertEquals(umlaut, ByteStrings.of(Path.of("/\u00fc")), "a Java path's bytes, as the kernel knows them");
        } else {
            assertEquals(Optional.empty(), ByteStrings.javaPath(umlaut));
        }
    }
}
