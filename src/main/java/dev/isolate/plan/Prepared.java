package dev.isolate.plan;

import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.Credentials;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the host's preparation made for a launch that the child's steps use.
 *
 * @param rootfs        the root filesystem as prepared on the host, when the spec has one
 * @param joinedNetwork a descriptor of the network namespace to enter, when the spec joins one
 * @param credentials   -S, -G and --group-add as numbers, looked up in the passwd and group
 *                      files the command sees, when the spec changes who runs it
 */
public record Prepared(Optional<RootfsLayout> rootfs, OptionalInt joinedNetwork, Optional<Credentials> credentials) {
    /** For a spec that needs nothing prepared. */
    public static final Prepared NOTHING = new Prepared(Optional.empty(), OptionalInt.empty(), Optional.empty());
}
