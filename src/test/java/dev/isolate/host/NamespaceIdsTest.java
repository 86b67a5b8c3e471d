package dev.isolate.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class NamespaceIdsTest {
    @Test
    void inodesAreReadFromTheLinkText() {
        assertEquals(4026531840L, NamespaceIds.inode("net:[4026531840]"));
    }
}
