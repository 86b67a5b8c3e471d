package dev.isolate.host.rootfs;

import dev.isolate.host.MountInfo;
import java.util.Optional;

/** Reads /proc/self/mountinfo: which mount holds a path. */
final class MountPoints {
    private MountPoints() {
    }

    /** The mount point of the last-mounted (so visible) mount that contains {@code path}. */
    static Optional<String> containing(String path, String mountinfo) {
        String best = null;
        for (String line : mountinfo.split("\n")) {
            String[] fields = line.split(" ");
            if (fields.length < 5) {
                continue;
            }
            String mountPoint = MountInfo.unescape(fields[4]);
            boolean contains = path.equals(mountPoint) || mountPoint.equals("/")
                    || path.startsWith(mountPoint + "/");
            if (contains && (best == null || mountPoint.length() >= best.length())) {
                best = mountPoint;
            }
        }
        return Optional.ofNullable(best);
    }
}
