package dev.isolate.host.seccomp;

import dev.isolate.exit.Failure;
import dev.isolate.host.KernelVersion;
import dev.isolate.host.OpenedPath;
import dev.isolate.linux.Linux;
import dev.isolate.spec.Capability;
import dev.isolate.spec.SeccompProfile;
import dev.isolate.step.SocketFilter;
import dev.isolate.sys.Kernel;
import dev.isolate.sys.Libseccomp;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Turns a seccomp profile into the BPF program the child installs, in the parent, with
 * libseccomp: the one place a launch (and isolate exec) gets its filter. Rules are chosen and
 * added as docker's runtime (runc) adds them: those whose includes and excludes fit the
 * command's capability set and this kernel, each syscall name libseccomp knows (others are
 * skipped), nothing for a rule whose action is the default one. A compiled filter is kept in
 * a {@link FilterCache}, since parsing and compiling cost more than the rest of a launch's
 * planning (see the README's seccomp section for the figures).
 */
public final class SeccompCompiler {
    /** isolate's own profile, in the classpath. */
    static final String DEFAULT_RESOURCE = "/dev/isolate/seccomp/default.json";
    /** What the cache's inputs name the default profile by, in place of its bytes. */
    private static final byte[] DEFAULT_IDENTITY = "isolate's default profile".getBytes(StandardCharsets.UTF_8);
    /** The architecture filters are built for, as libseccomp names it. */
    static final String ARCH = "x86_64";

    private final KernelVersion kernel;
    private final Optional<FilterCache> cache;
    private final Consumer<Supplier<String>> diagnostics;

    /**
     * @param cache       where compiled filters are kept, if anywhere
     * @param diagnostics -v output
     */
    public SeccompCompiler(KernelVersion kernel, Optional<FilterCache> cache, Consumer<Supplier<String>> diagnostics) {
        this.kernel = kernel;
        this.cache = cache;
        this.diagnostics = diagnostics;
    }

    /**
     * The filter for the profile, for a command holding these capabilities (empty: every one,
     * as when isolate leaves them unchanged); empty for an unconfined profile.
     *
     * @throws Failure (input) when the profile cannot be read or is not a valid profile, or
     *                 libseccomp is missing
     */
    public Optional<SocketFilter> compile(SeccompProfile profile, Optional<Set<Capability>> capabilities) {
        if (profile instanceof SeccompProfile.Unconfined) {
            return Optional.empty();
        }
        // A cache hit is on every launch's path: no lambda, String.format or new kind of string
        // concatenation here, each of which costs milliseconds the first time a JVM meets it.
        long started = System.nanoTime();
        SeccompProfile.File file = profile instanceof SeccompProfile.File f ? f : null;
        SeccompProfile.Json given = profile instanceof SeccompProfile.Json j ? j : null;
        String what = file != null ? "seccomp profile ".concat(file.path())
                : given != null ? "seccomp profile of ".concat(given.origin()) : "seccomp profile default";
        // The default profile is part of isolate's build, which the cache's inputs name anyway:
        // it is read only to compile it.
        byte[] json = file != null ? read(file.path(), what) : given != null ? given.text() : null;
        Optional<Libseccomp> loaded = Libseccomp.load();
        if (loaded.isEmpty()) {
            throw Failure.input("seccomp: " + Libseccomp.LIBRARY + " is not installed (Debian package libseccomp2);"
                    + " isolate builds its filters with it. Install it, or run with --security-opt seccomp=unconfined");
        }
        Libseccomp libseccomp = loaded.get();
        Set<Capability> held = capabilities.isPresent() ? capabilities.get() : EnumSet.allOf(Capability.class);
        byte[] inputs = FilterCache.inputs(json == null ? DEFAULT_IDENTITY : json, Capability.mask(held),
                libseccomp.version(), ARCH, kernel.toString());
        if (cache.isPresent()) {
            Optional<SocketFilter> cached = cache.get().lookup(inputs);
            if (cached.isPresent()) {
                diagnostics.accept(() -> what + ": " + cached.get().length() + " BPF instructions, from the cache ("
                        + cache.get().file(inputs) + ", " + millis(started) + ")");
                return cached;
            }
        }
        SocketFilter filter = build(Profile.parse(json == null ? defaultProfile() : json, what), held, libseccomp,
                what);
        cache.ifPresent(c -> c.store(inputs, filter));
        diagnostics.accept(() -> what + ": " + filter.length() + " BPF instructions, compiled with libseccomp "
                + libseccomp.version() + " in " + millis(started));
        return Optional.of(filter);
    }

    private static String millis(long started) {
        return String.format(Locale.ROOT, "%.1f ms", (System.nanoTime() - started) / 1e6);
    }

    private SocketFilter build(Profile profile, Set<Capability> held, Libseccomp libseccomp, String what) {
        try (Libseccomp.Filter filter = libseccomp.newFilter(profile.defaultAction().code())) {
            for (String arch : profile.filterArchitectures()) {
                String name = arch.startsWith("SCMP_ARCH_") ? arch.substring("SCMP_ARCH_".length()).toLowerCase(
                        Locale.ROOT) : arch;
                OptionalInt token = libseccomp.architecture(name);
                if (token.isEmpty()) {
                    throw Failure.input(what + ": architecture " + arch + ": libseccomp " + libseccomp.version()
                            + " does not know it");
                }
                int added = filter.addArchitecture(token.getAsInt());
                if (added < 0 && added != -Linux.EEXIST) {
                    throw Failure.input(what + ": architecture " + arch + ": libseccomp refused it: "
                            + Kernel.get().errorText(-added));
                }
            }
            List<String> unknown = new ArrayList<>();
            for (int i = 0; i < profile.rules().size(); i++) {
                Profile.Rule rule = profile.rules().get(i);
                // libseccomp refuses a rule with the default action; runc leaves it out.
                if (!rule.appliesTo(held, kernel) || rule.action().code() == profile.defaultAction().code()) {
                    continue;
                }
                for (String name : rule.names()) {
                    OptionalInt number = libseccomp.syscall(name);
                    if (number.isEmpty()) {
                        unknown.add(name);
                        continue;
                    }
                    for (List<Libseccomp.Comparison> comparisons : comparisons(rule.args())) {
                        int result = filter.addRule(rule.action().code(), number.getAsInt(), comparisons);
                        if (result < 0) {
                            throw Failure.input(what + ": syscalls[" + i + "] " + name + ": libseccomp refused the"
                                    + " rule: " + Kernel.get().errorText(-result));
                        }
                    }
                }
            }
            if (!unknown.isEmpty()) {
                diagnostics.accept(() -> what + ": skipped what libseccomp " + libseccomp.version()
                        + " does not know: " + String.join(", ", unknown));
            }
            Kernel.Result<byte[]> exported = filter.export();
            if (!exported.ok()) {
                throw Failure.step(what + ": cannot export the filter: " + Kernel.get().errorText(exported.errno()));
            }
            byte[] program = exported.value();
            if (program.length > SocketFilter.MAX_INSTRUCTIONS * SocketFilter.INSTRUCTION_SIZE) {
                throw Failure.input(what + ": the filter has more than " + SocketFilter.MAX_INSTRUCTIONS
                        + " instructions, the most the kernel takes");
            }
            return new SocketFilter(program);
        }
    }

    /**
     * The comparisons of one rule, as libseccomp gets them: all in one rule (they must all
     * hold), unless two compare the same argument, which runc adds as one rule each.
     */
    static List<List<Libseccomp.Comparison>> comparisons(List<Profile.Condition> args) {
        List<Libseccomp.Comparison> all = args.stream().map(c -> new Libseccomp.Comparison(c.index(), c.op().code(),
                c.value(), c.valueTwo())).toList();
        boolean sameArgumentTwice = args.stream().map(Profile.Condition::index).distinct().count() < args.size();
        return sameArgumentTwice ? all.stream().map(List::of).toList() : List.of(all);
    }

    private static byte[] defaultProfile() {
        try (InputStream in = SeccompCompiler.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the jar has no " + DEFAULT_RESOURCE);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + DEFAULT_RESOURCE, e);
        }
    }

    private static byte[] read(String path, String what) {
        try (OpenedPath file = OpenedPath.open(path, what)) {
            if (!Files.isRegularFile(file.view())) {
                throw Failure.input(what + ": not a file");
            }
            return Files.readAllBytes(file.view());
        } catch (IOException e) {
            throw Failure.input(what + ": " + Failure.reason(e));
        }
    }
}
