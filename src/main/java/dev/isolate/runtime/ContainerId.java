package dev.isolate.runtime;

import dev.isolate.exit.Failure;
import java.util.regex.Pattern;

/**
 * A container's id as engines give it. runc's rule ({@code ^[\w+-\.]+$}, where {@code +-\.}
 * is the range from '+' to '.', so ',' too), less "." and "..": an id is always one file name
 * under the state directory, never a path.
 */
public final class ContainerId {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_+,.-]+");
    /** The longest file name the kernel takes. */
    private static final int LONGEST = 255;

    private ContainerId() {
    }

    /** The id if it is one, else a one-line error. */
    public static String require(String id) {
        if (!valid(id)) {
            throw Failure.input("container id \"" + id + "\": invalid (letters, digits and _ + , . - only,"
                    + " up to " + LONGEST + " of them, and not . or ..)");
        }
        return id;
    }

    public static boolean valid(String id) {
        return id.length() <= LONGEST && ID.matcher(id).matches() && !id.equals(".") && !id.equals("..");
    }
}
