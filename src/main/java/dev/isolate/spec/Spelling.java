package dev.isolate.spec;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" for words the user typed that are close to one isolate knows. */
public final class Spelling {
    private Spelling() {
    }

    /**
     * The candidate one edit away from {@code word} (a letter added, dropped, changed, or two
     * neighbours swapped: stpo, brige, slirpp), or that {@code word} merely extends
     * (slirp4netns); empty when none is, or when the word is one of them.
     */
    public static Optional<String> nearest(String word, Collection<String> candidates) {
        if (candidates.contains(word)) {
            return Optional.empty();
        }
        return candidates.stream().filter(c -> oneEditApart(word, c)).findFirst()
                .or(() -> candidates.stream().filter(c -> c.length() >= 3 && word.startsWith(c)).findFirst());
    }

    static boolean oneEditApart(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 1) {
            return false;
        }
        int start = 0;
        while (start < a.length() && start < b.length() && a.charAt(start) == b.charAt(start)) {
            start++;
        }
        int endA = a.length();
        int endB = b.length();
        while (endA > start && endB > start && a.charAt(endA - 1) == b.charAt(endB - 1)) {
            endA--;
            endB--;
        }
        int differA = endA - start;
        int differB = endB - start;
        if (differA <= 1 && differB <= 1) {
            return differA + differB > 0; // one changed, added or dropped letter
        }
        return differA == 2 && differB == 2 && a.charAt(start) == b.charAt(start + 1)
                && a.charAt(start + 1) == b.charAt(start); // swapped neighbours
    }
}
