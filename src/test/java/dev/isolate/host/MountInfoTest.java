package dev.isolate.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MountInfoTest {
    @Test
    void octalEscapesAreDecoded() {
        assertEquals("a b\\c", MountInfo.unescape("a\\040b\\134c"));
        assertEquals("tail\\", MountInfo.unescape("tail\\"));
        assertEquals("\\x12", MountInfo.unescape("\\x12"), "only three octal digits are an escape");
    }
}
