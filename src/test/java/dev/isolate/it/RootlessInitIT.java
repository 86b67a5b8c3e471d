package dev.isolate.it;

/** Every --init test again, as the unprivileged user nobody, with an image nobody owns. */
class RootlessInitIT extends InitIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }
}
