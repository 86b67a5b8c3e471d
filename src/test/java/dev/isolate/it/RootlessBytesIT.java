package dev.isolate.it;

/** Every byte test again, as the unprivileged user nobody, with an image and directories nobody owns. */
class RootlessBytesIT extends BytesIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }
}
