package dev.isolate.it;

/** -S, -G and --group-add again as the unprivileged user nobody, with images nobody owns. */
class RootlessCredentialsIT extends CredentialsIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    boolean rootless() {
        return true;
    }
}
