package dev.isolate.bundle;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.isolate.exit.Failure;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A value of config.json as jackson-jr parsed it, with its JSON path, so that every error
 * names the field it is about ({@code linux.namespaces[2].path}). JSON null is the same as
 * an absent field, as Go's decoder that engines and runc use treats it.
 */
record Node(Object value, String file, String path) {
    /** A document's root: errors name the file, then the path in it. */
    static Node root(Object value, String file) {
        return new Node(value, file, "");
    }

    boolean absent() {
        return value == null;
    }

    /** The field's node, absent or not. */
    Node field(String name) {
        return new Node(object().get(name), file, path.isEmpty() ? name : path + "." + name);
    }

    /** The object's fields, each of which must be one of {@code known}. */
    Map<String, Node> fields(Set<String> known) {
        Map<String, Node> fields = entries();
        for (Map.Entry<String, Node> field : fields.entrySet()) {
            if (!known.contains(field.getKey())) {
                throw field.getValue().fail("unknown field");
            }
        }
        return fields;
    }

    /** An object whose keys are data (annotations, sysctls), in the order given. */
    Map<String, Node> entries() {
        Map<String, Node> entries = new LinkedHashMap<>();
        for (Object name : object().keySet()) {
            entries.put((String) name, field((String) name));
        }
        return entries;
    }

    /** Fails if the field is present and carries something: isolate cannot honour it. */
    void refuse(String name, String why) {
        Node node = field(name);
        if (!node.empty()) {
            throw node.fail(why);
        }
    }

    /** Absent, false, zero, "" or an empty list or object: a field that asks for nothing. */
    boolean empty() {
        return value == null || Boolean.FALSE.equals(value) || value instanceof String s && s.isEmpty()
                || value instanceof List<?> l && l.isEmpty() || value instanceof Map<?, ?> m && m.isEmpty()
                || value instanceof Number n && n.doubleValue() == 0;
    }

    private Map<?, ?> object() {
        if (value instanceof Map<?, ?> map) {
            return map;
        }
        throw fail("expected an object");
    }

    Node require() {
        if (value == null) {
            throw fail("missing");
        }
        return this;
    }

    List<Node> list() {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> items)) {
            throw fail("expected a list");
        }
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            nodes.add(new Node(items.get(i), file, path + "[" + i + "]"));
        }
        return nodes;
    }

    List<String> strings() {
        return list().stream().map(Node::string).toList();
    }

    String string() {
        if (value instanceof String s) {
            return s;
        }
        throw fail(value == null ? "missing" : "expected a string");
    }

    /** A path for the host's file API, which takes neither an empty one nor a NUL. */
    String filePath() {
        String path = string();
        if (path.isEmpty()) {
            throw fail("empty");
        }
        if (path.indexOf('\0') >= 0) {
            throw fail("contains a NUL character");
        }
        return path;
    }

    Optional<String> optionalString() {
        return value == null ? Optional.empty() : Optional.of(string());
    }

    boolean bool() {
        if (value == null) {
            return false;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw fail("expected true or false");
    }

    /** A whole number in [min, max]. */
    long number(long min, long max) {
        BigInteger n = integer();
        if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
            throw fail(n + ": expected a number from " + min + " to " + max);
        }
        return n.longValue();
    }

    OptionalLong optionalNumber(long min, long max) {
        return value == null ? OptionalLong.empty() : OptionalLong.of(number(min, max));
    }

    OptionalInt optionalInt(int min, int max) {
        return value == null ? OptionalInt.empty() : OptionalInt.of((int) number(min, max));
    }

    /** A uint64, such as RLIM_INFINITY (2^64-1), as a long of the same bits. */
    long unsigned64() {
        BigInteger n = integer();
        if (n.signum() < 0 || n.bitLength() > 64) {
            throw fail(n + ": expected a number from 0 to 18446744073709551615");
        }
        return n.longValue();
    }

    private BigInteger integer() {
        if (value instanceof Integer || value instanceof Long) {
            return BigInteger.valueOf(((Number) value).longValue());
        }
        if (value instanceof BigInteger big) {
            return big;
        }
        throw fail(value == null ? "missing" : "expected a whole number");
    }

    /** Reads a JSON file; the message of a failure names it as given. */
    static Node readFile(Path path, String name) {
        byte[] json;
        try {
            json = Files.readAllBytes(path);
        } catch (IOException e) {
            throw Failure.input(path + ": " + Failure.reason(e));
        }
        try {
            return root(JSON.std.anyFrom(json), name);
        } catch (IOException e) {
            String reason = String.valueOf(e.getMessage()).lines().findFirst().orElse("unreadable");
            throw Failure.input(path + ": not JSON: " + reason);
        }
    }

    Failure fail(String why) {
        return Failure.input(file + ": " + (path.isEmpty() ? "" : path + ": ") + why);
    }
}
