package dev.isolate.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** isolate ns and lsns as nobody, next to util-linux lsns as nobody. */
class RootlessNamespacesIT extends NamespacesIT {
    @Override
    Isolate isolate() {
        return Isolate.asNobody(RootlessCopy.script());
    }

    @Override
    List<String> lsns() {
        List<String> command = new ArrayList<>(Isolate.AS_NOBODY);
        command.addAll(List.of("lsns", "--json"));
        return command;
    }

    @Override
    Set<String> containerNamespaces() {
        return Set.of("user", "uts", "net", "pid", "mnt");
    }
}
