package dev.isolate.bundle;

import dev.isolate.spec.ContainerSpec;
import dev.isolate.spec.Mount;
import dev.isolate.spec.Namespace;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OCI bundle's config.json (runtime-spec 1.0 to 1.2), read completely: a field isolate
 * cannot honour is an error that names it, never left out.
 *
 * @param bundle     the bundle's directory, absolute
 * @param root       the root filesystem's directory, resolved against the bundle's
 * @param mounts     the mounts, in order, as isolate makes them (bind sources resolved against the bundle)
 * @param annotations kept for the container's state; they ask nothing of isolate
 */
public record BundleConfig(Path bundle, String ociVersion, Path root, boolean rootReadOnly, ProcessConfig process,
        Optional<String> hostname, Optional<String> domainname, List<Mount> mounts, LinuxConfig linux, Hooks hooks,
        Map<String, String> annotations) {
    static final String FILE = "config.json";
    private static final Set<String> FIELDS = Set.of("ociVersion", "process", "root", "hostname", "domainname",
            "mounts", "hooks", "annotations", "linux", "windows", "solaris", "vm", "zos");
    private static final Pattern VERSION = Pattern.compile("(\\d{1,9})\\.(\\d{1,9})\\.(\\d{1,9})([-+][0-9A-Za-z.+-]*)?");

    public BundleConfig {
        mounts = List.copyOf(mounts);
        annotations = Collections.unmodifiableMap(new LinkedHashMap<>(annotations));
    }

    /** Reads {@code config.json} in the bundle's directory. */
    public static BundleConfig read(Path bundleDirectory) {
        Path bundle = bundleDirectory.toAbsolutePath().normalize();
        return parse(Node.readFile(bundle.resolve(FILE), FILE), bundle);
    }

    /**
     * The container isolate launches for this bundle.
     *
     * @param containerId the container's id, which names its cgroup when config.json gives no cgroupsPath
     * @param preserveFds create's --preserve-fds: descriptors 3 to 3+N-1 reach the process
     * @param root        the caller is root, whose containers always get a cgroup and device rules
     */
    public ContainerSpec spec(String containerId, OptionalInt preserveFds, boolean root) {
        return BundleSpec.of(this, containerId, preserveFds, root);
    }

    private static BundleConfig parse(Node config, Path bundle) {
        config.fields(FIELDS);
        for (String platform : List.of("windows", "solaris", "vm", "zos")) {
            config.refuse(platform, "isolate runs Linux containers only");
        }
        String version = ociVersion(config.field("ociVersion"));
        Node rootNode = config.field("root").require();
        rootNode.fields(Set.of("path", "readonly"));
        Node rootPath = rootNode.field("path");
        String root = rootPath.require().filePath();
        LinuxConfig linux = LinuxConfig.read(config.field("linux"));
        Optional<String> hostname = config.field("hostname").optionalString().filter(name -> !name.isEmpty());
        Optional<String> domainname = config.field("domainname").optionalString().filter(name -> !name.isEmpty());
        if ((hostname.isPresent() || domainname.isPresent())
                && !linux.namespaces().contains(Namespace.UTS)) {
            throw config.field(hostname.isPresent() ? "hostname" : "domainname")
                    .fail("needs a new uts namespace in linux.namespaces");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        Node annotationsNode = config.field("annotations");
        if (!annotationsNode.absent()) {
            annotationsNode.entries().forEach((key, value) -> annotations.put(key, value.string()));
        }
        return new BundleConfig(bundle, version, bundle.resolve(root).normalize(),
                rootNode.field("readonly").bool(), ProcessConfig.read(config.field("process")), hostname, domainname,
                Mounts.read(config.field("mounts"), bundle, bundle.resolve(root).normalize()), linux, Hooks.read(config.field("hooks")), annotations);
    }

    /** 1.0.0 to 1.2.x, with any pre-release suffix (podman writes 1.0.2-dev). */
    private static String ociVersion(Node node) {
        String version = node.require().string();
        if (!VERSION.matcher(version).matches()) {
            throw node.fail("\"" + version + "\": expected a version such as " + Supported.OCI_VERSION_MAX);
        }
        long series = series(version);
        if (series < series(Supported.OCI_VERSION_MIN) || series > series(Supported.OCI_VERSION_MAX)) {
            throw node.fail("\"" + version + "\": isolate reads runtime-spec " + Supported.OCI_VERSION_MIN + " to "
                    + Supported.OCI_VERSION_MAX.replaceFirst("\\.0$", ".x"));
        }
        return version;
    }

    /** Major and minor as one number to compare: 1.2.x is 1002. */
    private static long series(String version) {
        Matcher m = VERSION.matcher(version);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a version: " + version);
        }
        return Long.parseLong(m.group(1)) * 1000 + Long.parseLong(m.group(2));
    }
}
