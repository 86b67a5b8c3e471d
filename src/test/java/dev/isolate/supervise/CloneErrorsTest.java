package dev.isolate.supervise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.isolate.Fixtures;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CloneErrorsTest {
    @Test
    void cloneErrorHints() {
        assertTrue(CloneErrors.hint(28, true, Fixtures.USER, Map.of(CloneErrors.MAX_USER_NAMESPACES, "0"))
                .contains("user.max_user_namespaces=15000"));
        assertTrue(CloneErrors.hint(28, true, Fixtures.USER, Map.of(CloneErrors.MAX_USER_NAMESPACES, "96365"))
                .contains("at most 33 deep"));
        assertTrue(CloneErrors.hint(1, true, Fixtures.USER, Map.of(CloneErrors.UNPRIVILEGED_USERNS_CLONE, "0"))
                .contains("kernel.unprivileged_userns_clone=1"));
        assertTrue(CloneErrors.hint(1, true, Fixtures.USER, Map.of(CloneErrors.APPARMOR_RESTRICT, "1"))
                .contains("apparmor_restrict_unprivileged_userns=0"));
        assertTrue(CloneErrors.hint(1, false, Fixtures.USER, Map.of()).contains("drop --no-user-auto"));
        assertEquals("", CloneErrors.hint(22, true, Fixtures.USER, Map.of()));
    }
}
