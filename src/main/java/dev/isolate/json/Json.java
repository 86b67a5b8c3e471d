package dev.isolate.json;

/** The little JSON isolate writes: strings need escaping, numbers and booleans do not. */
public final class Json {
    private Json() {
    }

    /** A JSON string literal of isolate's text, which carries the bytes it was given, one char per byte. */
    public static String string(String value) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
