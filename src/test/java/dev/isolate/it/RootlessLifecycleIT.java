package dev.isolate.it;

/** Named containers as nobody, whose state lives under its own runtime directory. */
class RootlessLifecycleIT extends LifecycleIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }
}
