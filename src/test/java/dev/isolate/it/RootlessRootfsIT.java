package dev.isolate.it;

/** Every root filesystem test again, as the unprivileged user nobody, with images nobody owns. */
class RootlessRootfsIT extends RootfsIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }
}
