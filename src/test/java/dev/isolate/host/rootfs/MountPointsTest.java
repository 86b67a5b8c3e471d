package dev.isolate.host.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MountPointsTest {
    private static final String MOUNTINFO = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
            23 22 0:5 / /dev rw shared:2 - devtmpfs udev rw
            30 22 0:25 / /srv/my\\040images rw shared:9 - ext4 /dev/sdb1 rw
            31 22 0:26 / /srv rw shared:10 - tmpfs tmpfs rw
            """;

    @Test
    void theLongestMountPointThatHoldsThePathWins() {
        assertEquals(Optional.of("/srv/my images"), MountPoints.containing("/srv/my images/busybox", MOUNTINFO));
        assertEquals(Optional.of("/srv"), MountPoints.containing("/srv/other", MOUNTINFO));
        assertEquals(Optional.of("/"), MountPoints.containing("/devices", MOUNTINFO), "a prefix is not enough");
        assertEquals(Optional.of("/dev"), MountPoints.containing("/dev", MOUNTINFO));
    }
}
