package dev.isolate.it;

/** -t again as the unprivileged user nobody, with images nobody owns. */
class RootlessTerminalIT extends TerminalIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }
}
