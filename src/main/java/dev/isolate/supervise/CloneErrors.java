package dev.isolate.supervise;

import static dev.isolate.linux.Linux.ENOSPC;
import static dev.isolate.linux.Linux.EPERM;

import dev.isolate.host.Caller;
import java.util.Map;

/** Why the kernel refused to create namespaces, and what to do about it. */
final class CloneErrors {
    static final String MAX_USER_NAMESPACES = "/proc/sys/user/max_user_namespaces";
    static final String UNPRIVILEGED_USERNS_CLONE = "/proc/sys/kernel/unprivileged_userns_clone";
    static final String APPARMOR_RESTRICT = "/proc/sys/kernel/apparmor_restrict_unprivileged_userns";

    private CloneErrors() {
    }

    /**
     * A hint to append to the errno text, or "" when there is nothing to add.
     *
     * @param withUserNamespace the clone created a user namespace
     * @param sysctls           the values of the files above that exist, trimmed
     */
    static String hint(int errno, boolean withUserNamespace, Caller caller, Map<String, String> sysctls) {
        if (errno == ENOSPC && withUserNamespace) {
            String max = sysctls.get(MAX_USER_NAMESPACES);
            if ("0".equals(max)) {
                return " (user namespaces are disabled: sysctl -w user.max_user_namespaces=15000)";
            }
            return " (too many user namespaces: they nest at most 33 deep below the initial one, and"
                    + " user.max_user_namespaces=" + (max == null ? "?" : max) + " in all)";
        }
        if (errno != EPERM) {
            return "";
        }
        if (!withUserNamespace) {
            return " (creating namespaces needs privilege: run isolate as root, or use a user namespace (-U)"
                    + " and drop --no-user-auto)";
        }
        if (caller.canCreate()) {
            return "";
        }
        if ("0".equals(sysctls.get(UNPRIVILEGED_USERNS_CLONE))) {
            return " (unprivileged user namespaces are disabled: sysctl -w kernel.unprivileged_userns_clone=1)";
        }
        if ("1".equals(sysctls.get(APPARMOR_RESTRICT))) {
            return " (AppArmor forbids unprivileged user namespaces:"
                    + " sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or give java an AppArmor profile"
                    + " that allows userns)";
        }
        return " (this system does not let unprivileged users create user namespaces: run isolate as root)";
    }
}
