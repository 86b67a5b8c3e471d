package dev.isolate.it;

/** Every seccomp test again, as the unprivileged user nobody. */
class RootlessSeccompIT extends SeccompIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }
}
