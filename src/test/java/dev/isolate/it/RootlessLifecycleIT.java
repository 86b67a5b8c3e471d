package dev.isolate.it;

import java.nio.file.Path;

/** Named containers as nobody, whose state lives under its own runtime directory. */
class RootlessLifecycleIT extends LifecycleIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    Path containersDirectory() {
        return runtime.resolve("isolate/containers");
    }
}
