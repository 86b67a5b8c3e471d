package dev.isolate.bundle;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** config.json documents for the tests: a small valid one to change field by field, and the captured ones. */
final class Bundles {
    private Bundles() {
    }

    /** The least a bundle needs: a process, a root, and new mount and PID namespaces. */
    static Map<String, Object> minimal() {
        return tree("""
                {"ociVersion": "1.0.2",
                 "process": {"args": ["sh"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 0, "gid": 0}},
                 "root": {"path": "rootfs"},
                 "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}}
                """);
    }

    static Map<String, Object> resource(String name) {
        try (InputStream in = Bundles.class.getResourceAsStream("/bundle/" + name)) {
            return tree(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> tree(String json) {
        return (Map<String, Object>) json(json);
    }

    /** Any JSON value, as mutable maps and lists. */
    static Object json(String json) {
        try {
            return copy(JSON.std.anyFrom(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sets the value at a dotted path ("linux.resources.memory.limit"), making objects on the way. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> with(Map<String, Object> config, String path, Object value) {
        String[] names = path.split("\\.");
        Map<String, Object> object = config;
        for (int i = 0; i < names.length - 1; i++) {
            object = (Map<String, Object>) object.computeIfAbsent(names[i], name -> new LinkedHashMap<>());
        }
        object.put(names[names.length - 1], value == null ? null : copy(value));
        return config;
    }

    /** Writes config.json into the directory and returns it. */
    static Path write(Path bundle, Map<String, Object> config) {
        try {
            Files.write(bundle.resolve("config.json"), JSON.std.asBytes(config));
            return bundle;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes config.json as this text. */
    static Path writeText(Path bundle, String json) {
        try {
            Files.writeString(bundle.resolve("config.json"), json);
            return bundle;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Mutable copies all the way down, so that tests can change what they were given. */
    private static Object copy(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, item) -> copy.put((String) key, copy(item)));
            return copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(item -> copy.add(copy(item)));
            return copy;
        }
        return value;
    }
}
