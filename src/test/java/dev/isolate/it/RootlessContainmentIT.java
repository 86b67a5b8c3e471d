package dev.isolate.it;

/** Every containment probe again, as the unprivileged user nobody. */
class RootlessContainmentIT extends ContainmentIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }
}
