package dev.isolate.spec;

import dev.isolate.exit.Failure;
import java.util.Optional;
import java.util.regex.Pattern;

/** A mount the user adds to the container's root filesystem; destinations are paths inside it. */
public sealed interface Mount {
    String destination();

    /** A host file or directory made visible inside, recursively (with whatever is mounted below it). */
    record Bind(String source, String destination, boolean readOnly) implements Mount {
        public Bind {
            if (source.isEmpty()) {
                throw Failure.input("bind: the source path is empty");
            }
            CStrings.requireNoNul("bind source", source);
            destination = ContainerPath.normalize("bind destination", destination);
        }
    }

    /** A fresh tmpfs, world-writable with the sticky bit like /tmp; {@code size} as tmpfs takes it. */
    record Tmpfs(String destination, Optional<String> size) implements Mount {
        /** Bytes with an optional k/m/g suffix, or a percentage of memory. */
        private static final Pattern SIZE = Pattern.compile("[1-9][0-9]{0,17}[kKmMgG]?|[1-9][0-9]?%|100%");

        public Tmpfs {
            destination = ContainerPath.normalize("tmpfs destination", destination);
            size.ifPresent(s -> {
                if (!SIZE.matcher(s).matches()) {
                    throw Failure.input("tmpfs size \"" + s + "\": use a number of bytes with an optional"
                            + " k, m or g suffix, or a percentage of memory such as 10%");
                }
            });
        }
    }
}
