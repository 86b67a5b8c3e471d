package dev.isolate.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.isolate.spec.Namespace;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportsTest {
    private static Map<Namespace, Long> ids(long uts) {
        Map<Namespace, Long> ids = new EnumMap<>(Namespace.class);
        ids.put(Namespace.UTS, uts);
        ids.put(Namespace.NET, 4026531833L);
        return ids;
    }

    @Test
    void nsMarksWhatDiffersFromIsolatesOwn() {
        List<Reports.ProcessNamespaces> one = List.of(new Reports.ProcessNamespaces("42", ids(4026532178L),
                ids(4026531838L)));
        assertEquals("""
                PID TYPE         NS DIFFERS
                 42 uts  4026532178 yes
                 42 net  4026531833 no
                """, Reports.nsTable(one));
        assertEquals("""
                {"namespaces": [{"pid": 42, "type": "uts", "ns": 4026532178, "differs": true},
                   {"pid": 42, "type": "net", "ns": 4026531833, "differs": false}]}
                """, Reports.nsJson(one));
    }

    @Test
    void lsnsHasUtilLinuxsColumnsAndEscapesStrings() {
        List<SystemNamespaces.Entry> entries = List.of(
                new SystemNamespaces.Entry(4026531833L, Namespace.NET, 66, 2, "root", "kthreadd"),
                new SystemNamespaces.Entry(4026532180L, Namespace.NET, 1, 27327, "nobody", "sh -c \"echo\\t\"\n"));
        assertEquals("""
                        NS TYPE NPROCS   PID USER   COMMAND
                4026531833 net      66     2 root   kthreadd
                4026532180 net       1 27327 nobody sh -c "echo\\t"\\x0a
                """, Reports.lsnsTable(entries));
        assertEquals("{\"namespaces\": [{\"ns\": 4026531833, \"type\": \"net\", \"nprocs\": 66, \"pid\": 2,"
                + " \"user\": \"root\", \"command\": \"kthreadd\"},\n   {\"ns\": 4026532180, \"type\": \"net\","
                + " \"nprocs\": 1, \"pid\": 27327, \"user\": \"nobody\", \"command\": \"sh -c \\\"echo\\\\t\\\"\\n\"}]}\n",
                Reports.lsnsJson(entries));
    }

    @Test
    void inodesAreReadFromTheLinkText() {
        assertEquals(4026531840L, NamespaceIds.inode("net:[4026531840]"));
    }
}
