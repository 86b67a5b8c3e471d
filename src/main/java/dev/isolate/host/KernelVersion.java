package dev.isolate.host;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The running kernel's version, for the features that need a recent one. */
public record KernelVersion(int major, int minor) implements Comparable<KernelVersion> {
    private static final Pattern RELEASE = Pattern.compile("(\\d+)\\.(\\d+).*");

    /** Parses a uname release such as {@code 6.1.0-18-amd64}. */
    public static KernelVersion parse(String release) {
        Matcher m = RELEASE.matcher(release);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a kernel release: " + release);
        }
        return new KernelVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
    }

    @Override
    public int compareTo(KernelVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
