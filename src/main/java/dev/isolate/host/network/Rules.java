package dev.isolate.host.network;

import dev.isolate.exit.Failure;
import java.util.List;
import java.util.function.Predicate;

/** isolate's nftables rules, found again by their comments. */
final class Rules {
    private Rules() {
    }

    /** The listing of isolate's table, empty when there is none. */
    static String listing() {
        try {
            return Tools.run("list rules", List.of("nft", "-a", "list", "table", Scripts.TABLE), "");
        } catch (Failure noTable) {
            return "";
        }
    }

    /** Deletes the rules whose comment passes; a rule already gone is no failure. */
    static void delete(Predicate<String> comment) {
        String deletions = Scripts.deleteRules(listing(), comment);
        if (!deletions.isEmpty()) {
            Tools.runQuietly(List.of("nft", "-f", "-"), deletions);
        }
    }
}
