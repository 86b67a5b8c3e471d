package dev.isolate.plan;

import dev.isolate.host.rootfs.RootfsLayout;
import dev.isolate.spec.Credentials;
import dev.isolate.step.SocketFilter;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the host's preparation made for a launch that the child's steps use.
 *
 * @param rootfs        the root filesystem as prepared on the host, when the spec has one
 * @param joinedNetwork a descriptor of the network namespace to enter, when the spec joins one
 * @param credentials   -S, -G and --group-add as numbers, looked up in the passwd and group
 *                      files the command sees, when the spec changes who runs it
 * @param seccomp       the compiled filter, when the spec's profile is not unconfined
 * @param init          --init: the init program as the child executes it, when the spec asks for one
 */
public record Prepared(Optional<RootfsLayout> rootfs, OptionalInt joinedNetwork, Optional<Credentials> credentials,
        Optional<SocketFilter> seccomp, Optional<String> init) {
    /** For a spec that needs nothing prepared. */
    public static final Prepared NOTHING = new Prepared(Optional.empty(), OptionalInt.empty(), Optional.empty(),
            Optional.empty(), Optional.empty());
}
