package dev.isolate.host;

import static dev.isolate.linux.Linux.*;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.Map;

/**
 * The JVM settings isolate relies on to launch, which only its launcher (scripts/isolate)
 * gives: checked before a launch (once per JVM: a launch installs handlers of its own), so that a JVM started another way refuses with one line
 * instead of half-working. Without -Xrs the JVM keeps INT, TERM, HUP and QUIT for itself,
 * and without _JAVA_SR_SIGNUM it keeps USR2, so isolate could not forward them; on JDK 22
 * and later, native access must be granted or the JVM prints warnings on isolate's stderr.
 */
public final class JvmSetup {
    /** The signals a JVM keeps unless told otherwise, and what tells it. */
    private static final List<Map.Entry<Integer, String>> JVM_SIGNALS = List.of(
            Map.entry(SIGINT, "SIGINT (start the JVM with -Xrs)"), Map.entry(SIGTERM, "SIGTERM (start the JVM with -Xrs)"),
            Map.entry(SIGHUP, "SIGHUP (start the JVM with -Xrs)"), Map.entry(SIGQUIT, "SIGQUIT (start the JVM with -Xrs)"),
            Map.entry(SIGUSR2, "SIGUSR2 (set _JAVA_SR_SIGNUM=40 in its environment)"));

    /** Set once the JVM's signals were found as isolate needs them: only isolate's own handlers change them after. */
    private static boolean signalsChecked;

    private JvmSetup() {
    }

    /**
     * The facts, once this JVM is known to be set up as isolate needs. What a JVM would warn
     * about is checked before any native code is loaded, so that it never gets to warn.
     *
     * @throws Failure when it was not
     */
    public static HostFacts checkedFacts() {
        if (!nativeAccessGranted()) {
            throw refused("native access is not enabled (start the JVM with --enable-native-access=ALL-UNNAMED)");
        }
        if (!"true".equals(System.getProperty("jffi.unsafe.disabled"))) {
            throw refused("jffi may use sun.misc.Unsafe (start the JVM with -Djffi.unsafe.disabled=true)");
        }
        HostFacts facts = HostFacts.read();
        // Read before isolate installs any handler of its own: these can only be the JVM's. A
        // later launch in the same JVM (the JVM cache's training makes two) finds isolate's.
        if (!signalsChecked) {
            List<Integer> handled = facts.handledSignals();
            for (Map.Entry<Integer, String> signal : JVM_SIGNALS) {
                if (handled.contains(signal.getKey())) {
                    throw refused("the JVM handles " + signal.getValue());
                }
            }
            signalsChecked = true;
        }
        return facts;
    }

    private static Failure refused(String why) {
        return Failure.input("this JVM was not started as isolate needs: " + why
                + "; run isolate through its launcher (bin/isolate as installed, scripts/isolate in a checkout)");
    }

    /**
     * Whether native code may be loaded without a warning. Module.isNativeAccessEnabled exists
     * from JDK 22 on; before it there is nothing to grant. From JDK 24 on the JVM grants it to a
     * module once it has warned, so it is asked before anything loads native code.
     */
    public static boolean nativeAccessGranted() {
        try {
            Module module = JvmSetup.class.getModule();
            return (Boolean) Module.class.getMethod("isNativeAccessEnabled").invoke(module);
        } catch (NoSuchMethodException before22) {
            return true;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Module.isNativeAccessEnabled", e);
        }
    }
}
