package dev.isolate.startup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * LambdaClasses on a class with every kind of lambda site javac makes: the rewritten classes
 * compute what the compiled ones do, with no lambda site left but the serializable one.
 */
class LambdaClassesTest {
    /** Each line one kind of site; get() joins what they return. */
    private static final String SAMPLE = """
            package sample;

            import java.io.Serializable;
            import java.util.ArrayList;
            import java.util.List;
            import java.util.function.*;

            public class Sample extends Base implements Supplier<String> {
                private final String prefix = "p";

                interface StringFunction extends Function<String, String> {
                    String apply(String s);
                }

                interface Named {
                    String name();

                    default Supplier<String> greeting(String who) {
                        return () -> name() + " greets " + who;
                    }
                }

                private static String privateStatic(String s) {
                    return "<" + s + ">";
                }

                private String privateInstance(int n) {
                    return prefix + n;
                }

                static String describe(Object o) {
                    return o.getClass().getSimpleName() + o;
                }

                static Runnable nonCapturing() {
                    return () -> { };
                }

                @Override
                public String get() {
                    List<String> out = new ArrayList<>();
                    out.add(String.valueOf(nonCapturing() == nonCapturing()));
                    int i = 3;
                    long l = 4L;
                    double d = 2.5;
                    char c = 'c';
                    boolean b = true;
                    Supplier<String> captures = () -> prefix + i + l + d + c + b;
                    out.add(captures.get());
                    Function<String, Integer> length = String::length;
                    out.add(String.valueOf(length.apply("four")));
                    Function<Integer, String> bound = this::privateInstance;
                    out.add(bound.apply(7));
                    UnaryOperator<String> statics = Sample::privateStatic;
                    out.add(statics.apply("s"));
                    Function<String, StringBuilder> constructor = StringBuilder::new;
                    out.add(constructor.apply("ab").reverse().toString());
                    Function<List<String>, Integer> size = List::size;
                    out.add(String.valueOf(size.apply(List.of("a", "b"))));
                    Function<String, List<String>> listOf = List::of;
                    out.add(listOf.apply("x").toString());
                    ToLongFunction<String> widenedResult = String::length;
                    out.add(String.valueOf(widenedResult.applyAsLong("seven")));
                    IntFunction<String> widenedArgument = Long::toHexString;
                    out.add(widenedArgument.apply(255));
                    IntFunction<String> boxedArgument = Sample::describe;
                    out.add(boxedArgument.apply(5));
                    DoubleBinaryOperator doubles = Math::max;
                    out.add(String.valueOf(doubles.applyAsDouble(1.5, -2)));
                    Predicate<String> unboxedResult = Boolean::valueOf;
                    out.add(String.valueOf(unboxedResult.test("true")));
                    Consumer<String> discarded = out::add;
                    discarded.accept("added");
                    Consumer<String> discardedLong = Long::parseLong;
                    discardedLong.accept("12");
                    IntFunction<String[]> arrays = String[]::new;
                    out.add(String.valueOf(arrays.apply(3).length));
                    Supplier<String> superCall = super::toString;
                    out.add(superCall.get());
                    StringFunction bridged = s -> s.toUpperCase();
                    Function<String, String> erased = bridged;
                    out.add(erased.apply("bridge"));
                    Runnable marked = (Runnable & Cloneable) () -> out.add("marked");
                    marked.run();
                    out.add(String.valueOf(marked instanceof Cloneable));
                    Supplier<String> serializable = (Supplier<String> & Serializable) () -> "serializable";
                    out.add(serializable.get());
                    Named named = () -> "it";
                    out.add(named.greeting("you").get());
                    out.add(new Nested().call());
                    out.add(new Base.Inner().call());
                    BiFunction<Integer, Integer, Integer> nested = (x, y) -> {
                        IntBinaryOperator inner = (p, q) -> p * q + i;
                        return inner.applyAsInt(x, y);
                    };
                    out.add(String.valueOf(nested.apply(4, 5)));
                    return String.join(",", out);
                }

                class Nested {
                    String call() {
                        Supplier<String> s = () -> prefix + "nested";
                        return s.get();
                    }
                }
            }

            class Base {
                @Override
                public String toString() {
                    return "base";
                }

                static class Inner {
                    private int secret() {
                        return 42;
                    }

                    String call() {
                        IntSupplier s = this::secret;
                        return String.valueOf(s.getAsInt());
                    }
                }
            }
            """;
    private static final String EXPECTED = "true,p342.5ctrue,4,p7,<s>,ba,2,[x],5,ff,Integer5,1.5,true,added,3,base,"
            + "BRIDGE,marked,true,serializable,it greets you,pnested,42,23";

    @TempDir
    static Path work;
    private static Map<String, byte[]> compiled;

    @BeforeAll
    static void compile() throws IOException {
        Path source = work.resolve("src/sample/Sample.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, SAMPLE);
        Path classes = work.resolve("compiled");
        assertEquals(0, ToolProvider.getSystemJavaCompiler().run(null, null, null, "--release", "17", "-d",
                classes.toString(), source.toString()));
        compiled = read(classes);
    }

    @Test
    void theCompiledSampleComputesTheExpectedText() throws Exception {
        assertEquals(EXPECTED, run(compiled));
    }

    @Test
    void rewrittenClassesComputeTheSameWithoutLambdaSites() throws Exception {
        Map<String, byte[]> rewritten = new TreeMap<>(compiled);
        rewritten.putAll(LambdaClasses.rewrite(compiled));
        assertTrue(rewritten.size() > compiled.size() + 20, "a class for each site: " + rewritten.keySet());
        assertEquals(EXPECTED, run(rewritten));
        assertEquals(List.of("sample/Sample.$deserializeLambda$", "sample/Sample.get"), lambdaSites(rewritten),
                "only the serializable lambda is left, and its twin in the method that deserializes it");
        assertTrue(lambdaSites(compiled).size() > 20);
    }

    @Test
    void rewritingAgainChangesNothing() {
        Map<String, byte[]> once = new TreeMap<>(compiled);
        once.putAll(LambdaClasses.rewrite(compiled));
        assertTrue(LambdaClasses.rewrite(once).isEmpty());
    }

    @Test
    void aSiteClassItsHostNoLongerNamesIsUnused() {
        Map<String, byte[]> rewritten = new TreeMap<>(compiled);
        rewritten.putAll(LambdaClasses.rewrite(compiled));
        assertEquals(List.of(), LambdaClasses.unused(rewritten));
        // Compiled again, the host has its invokedynamic instructions back and names none of them.
        rewritten.put("sample/Base$Inner", compiled.get("sample/Base$Inner"));
        assertEquals(List.of("sample/Base$Inner$$Lambda$0"), LambdaClasses.unused(rewritten));
    }

    @Test
    void isolatesOwnClassesHaveNoLambdaSiteLeft() throws IOException {
        Path classes = Path.of(LambdaClasses.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        Map<String, byte[]> built = read(classes);
        assertFalse(built.isEmpty());
        assertEquals(List.of(), lambdaSites(built), "the build runs LambdaClasses on " + classes);
    }

    private static Map<String, byte[]> read(Path classes) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(classes)) {
            for (Path path : paths.filter(p -> p.toString().endsWith(".class")).toList()) {
                String name = classes.relativize(path).toString();
                files.put(name.substring(0, name.length() - ".class".length()), Files.readAllBytes(path));
            }
        }
        return files;
    }

    @SuppressWarnings("unchecked")
    private static String run(Map<String, byte[]> classes) throws Exception {
        ClassLoader loader = new ClassLoader(LambdaClassesTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] bytes = classes.get(name.replace('.', '/'));
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(name, bytes, 0, bytes.length);
            }
        };
        return ((Supplier<String>) Class.forName("sample.Sample", true, loader).getConstructor().newInstance()).get();
    }

    /** The class and method of every LambdaMetafactory site in the classes, sorted. */
    private static List<String> lambdaSites(Map<String, byte[]> classes) {
        List<String> sites = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            new ClassReader(entry.getValue()).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitInvokeDynamicInsn(String indyName, String indyDescriptor, Handle bootstrap,
                                Object... arguments) {
                            if (bootstrap.getOwner().equals("java/lang/invoke/LambdaMetafactory")) {
                                sites.add(entry.getKey() + "." + name);
                            }
                        }
                    };
                }
            }, 0);
        }
        sites.sort(null);
        return sites;
    }
}
