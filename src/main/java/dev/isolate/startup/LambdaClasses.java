package dev.isolate.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Gives every lambda and method reference of isolate's classes a class of its own when isolate
 * is built, in place of its {@code invokedynamic}: the build runs {@code java -cp CLASSES:ASM
 * dev.isolate.startup.LambdaClasses CLASSES} after compiling.
 * <p>
 * Why: on JDK 17 to 21 a CDS archive keeps the classes the JVM spun for lambdas, but not their
 * call sites' links, so each site's first call runs {@code LambdaMetafactory} again, interpreted,
 * at every start: a third of a launch's CPU on JDK 17 (see README, Performance). A class per site,
 * as javac made them for anonymous classes, is loaded from the cache like any other; a JDK 25
 * AOT cache, which keeps the links, loses nothing by it.
 * <p>
 * Each site becomes a final class {@code HOST$$Lambda$N} that implements the functional interface
 * (with the markers and bridges {@code altMetafactory} names) by calling the implementation
 * method the site named, converting arguments and result as {@code LambdaMetafactory} would
 * (casts, boxing, unboxing, widening). It is a nestmate of its host, so it may call the private
 * {@code lambda$...} methods javac put the bodies in, and the host's nest host lists it. A site
 * that captures nothing reads the class's one instance, as {@code LambdaMetafactory}'s constant
 * call site returns the same object every time; one that captures calls the class's factory.
 * Serializable lambdas (which need {@code SerializedLambda}) and other bootstrap methods (a
 * record's {@code ObjectMethods}) keep their {@code invokedynamic}. Running it again changes
 * nothing: a class without a lambda site is left as it is.
 */
public final class LambdaClasses {
    private static final String METAFACTORY = "java/lang/invoke/LambdaMetafactory";
    private static final int FLAG_SERIALIZABLE = 1;
    private static final int FLAG_MARKERS = 2;
    private static final int FLAG_BRIDGES = 4;
    private static final String INSTANCE = "INSTANCE";
    private static final String FACTORY = "create";
    /** A site's class is its host's name, this, and the site's number in the host. */
    private static final String SUFFIX = "$$Lambda$";
    private static final int CONSTANT_CLASS = 7;

    private LambdaClasses() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: LambdaClasses CLASSES");
            System.exit(2);
        }
        Path classes = Path.of(args[0]);
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(classes)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                String file = classes.relativize(path).toString();
                if (file.endsWith(".class")) {
                    files.put(file.substring(0, file.length() - ".class".length()), Files.readAllBytes(path));
                }
            }
        }
        Map<String, byte[]> written = rewrite(files);
        for (Map.Entry<String, byte[]> entry : written.entrySet()) {
            Path target = classes.resolve(entry.getKey() + ".class");
            Path temporary = target.resolveSibling(target.getFileName() + ".new");
            Files.write(temporary, entry.getValue());
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        files.putAll(written);
        for (String stale : unused(files)) {
            Files.delete(classes.resolve(stale + ".class"));
        }
    }

    /**
     * The site classes no host refers to any more: javac compiled the host again with fewer
     * sites, or none, and the build's incremental compile does not delete a class it did not make.
     */
    static List<String> unused(Map<String, byte[]> classes) {
        List<String> unused = new ArrayList<>();
        for (String name : classes.keySet()) {
            int suffix = name.lastIndexOf(SUFFIX);
            if (suffix > 0 && name.substring(suffix + SUFFIX.length()).matches("[0-9]+")) {
                byte[] host = classes.get(name.substring(0, suffix));
                if (host == null || !namesClass(host, name)) {
                    unused.add(name);
                }
            }
        }
        return unused;
    }

    /** Whether a class file's constant pool names the class. */
    private static boolean namesClass(byte[] classFile, String name) {
        ClassReader reader = new ClassReader(classFile);
        char[] buffer = new char[reader.getMaxStringLength()];
        for (int item = 1; item < reader.getItemCount(); item++) {
            int offset = reader.getItem(item); // 0 for the second slot of a long or double
            if (offset > 0 && reader.readByte(offset - 1) == CONSTANT_CLASS && name.equals(reader.readUTF8(offset, buffer))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The class files to write, by internal name: each host rewritten, each site's class, and
     * each nest host that gains members. {@code classes} holds every class of the build, since a
     * host's nest host may be another file.
     */
    static Map<String, byte[]> rewrite(Map<String, byte[]> classes) {
        Map<String, byte[]> written = new TreeMap<>();
        Map<String, Set<String>> newMembers = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            if (!hasLambdaSite(entry.getValue())) {
                continue;
            }
            ClassReader reader = new ClassReader(entry.getValue());
            // A new constant pool, without the bootstrap methods no instruction uses any more.
            ClassWriter writer = new ClassWriter(0);
            HostRewriter host = new HostRewriter(writer);
            reader.accept(host, 0);
            written.put(entry.getKey(), writer.toByteArray());
            written.putAll(host.generated);
            newMembers.computeIfAbsent(host.nestHost, name -> new HashSet<>()).addAll(host.generated.keySet());
        }
        for (Map.Entry<String, Set<String>> entry : newMembers.entrySet()) {
            byte[] bytes = written.containsKey(entry.getKey()) ? written.get(entry.getKey()) : classes.get(entry.getKey());
            if (bytes == null) {
                throw new IllegalStateException("nest host " + entry.getKey() + " is not among the classes");
            }
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(reader, 0);
            reader.accept(new NestMembersAdder(writer, entry.getValue()), 0);
            written.put(entry.getKey(), writer.toByteArray());
        }
        return written;
    }

    private static boolean hasLambdaSite(byte[] bytes) {
        boolean[] found = {false};
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInvokeDynamicInsn(String indyName, String indyDescriptor, Handle bootstrap,
                            Object... arguments) {
                        found[0] |= Site.of(indyName, indyDescriptor, bootstrap, arguments) != null;
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return found[0];
    }

    /** One lambda call site: what {@code LambdaMetafactory} was asked to make. */
    private record Site(String interfaceMethod, Type capturedAndInterface, Type erased, Handle implementation,
            Type instantiated, List<String> markers, List<Type> bridges) {
        /** The site, or null for one this class leaves alone. */
        static Site of(String name, String descriptor, Handle bootstrap, Object[] arguments) {
            if (!bootstrap.getOwner().equals(METAFACTORY)) {
                return null;
            }
            List<String> markers = new ArrayList<>();
            List<Type> bridges = new ArrayList<>();
            if (bootstrap.getName().equals("altMetafactory")) {
                int flags = (Integer) arguments[3];
                if ((flags & FLAG_SERIALIZABLE) != 0) {
                    return null;
                }
                int next = 4;
                if ((flags & FLAG_MARKERS) != 0) {
                    int count = (Integer) arguments[next++];
                    for (int i = 0; i < count; i++) {
                        markers.add(((Type) arguments[next++]).getInternalName());
                    }
                }
                if ((flags & FLAG_BRIDGES) != 0) {
                    int count = (Integer) arguments[next++];
                    for (int i = 0; i < count; i++) {
                        bridges.add((Type) arguments[next++]);
                    }
                }
            } else if (!bootstrap.getName().equals("metafactory")) {
                return null;
            }
            return new Site(name, Type.getMethodType(descriptor), (Type) arguments[0], (Handle) arguments[1],
                    (Type) arguments[2], markers, bridges);
        }

        Type[] captured() {
            return capturedAndInterface.getArgumentTypes();
        }

        String functionalInterface() {
            return capturedAndInterface.getReturnType().getInternalName();
        }
    }

    /** Replaces each lambda site of a class with its own class's instance or factory. */
    private static final class HostRewriter extends ClassVisitor {
        final Map<String, byte[]> generated = new LinkedHashMap<>();
        String nestHost;
        private String name;
        private int version;

        HostRewriter(ClassVisitor next) {
            super(Opcodes.ASM9, next);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                String[] interfaces) {
            this.name = name;
            this.version = version;
            this.nestHost = name;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public void visitNestHost(String host) {
            nestHost = host;
            super.visitNestHost(host);
        }

        @Override
        public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                String[] exceptions) {
            return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, method, descriptor, signature, exceptions)) {
                @Override
                public void visitInvokeDynamicInsn(String indyName, String indyDescriptor, Handle bootstrap,
                        Object... arguments) {
                    Site site = Site.of(indyName, indyDescriptor, bootstrap, arguments);
                    if (site == null) {
                        super.visitInvokeDynamicInsn(indyName, indyDescriptor, bootstrap, arguments);
                        return;
                    }
                    String lambda = name + SUFFIX + generated.size();
                    generated.put(lambda, lambdaClass(version, lambda, nestHost, site));
                    if (site.captured().length == 0) {
                        super.visitFieldInsn(Opcodes.GETSTATIC, lambda, INSTANCE, "L" + site.functionalInterface() + ";");
                    } else {
                        super.visitMethodInsn(Opcodes.INVOKESTATIC, lambda, FACTORY, indyDescriptor, false);
                    }
                }
            };
        }
    }

    /** Lists a nest's new members in its host, each once. */
    private static final class NestMembersAdder extends ClassVisitor {
        private final Set<String> missing;

        NestMembersAdder(ClassVisitor next, Set<String> members) {
            super(Opcodes.ASM9, next);
            this.missing = new TreeSet<>(members);
        }

        @Override
        public void visitNestMember(String member) {
            missing.remove(member);
            super.visitNestMember(member);
        }

        @Override
        public void visitEnd() {
            for (String member : missing) {
                super.visitNestMember(member);
            }
            super.visitEnd();
        }
    }

    /** The class of one site: its fields are what the site captured, in order. */
    private static byte[] lambdaClass(int version, String name, String nestHost, Site site) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        List<String> interfaces = new ArrayList<>();
        interfaces.add(site.functionalInterface());
        interfaces.addAll(site.markers());
        writer.visit(version, Opcodes.ACC_FINAL | Opcodes.ACC_SUPER | Opcodes.ACC_SYNTHETIC, name, null,
                "java/lang/Object", interfaces.toArray(String[]::new));
        writer.visitNestHost(nestHost);
        Type[] captured = site.captured();
        String interfaceDescriptor = "L" + site.functionalInterface() + ";";
        for (int i = 0; i < captured.length; i++) {
            writer.visitField(Opcodes.ACC_PRIVATE | Opcodes.ACC_FINAL, "captured" + i, captured[i].getDescriptor(), null,
                    null).visitEnd();
        }
        String constructor = Type.getMethodDescriptor(Type.VOID_TYPE, captured);
        MethodVisitor init = writer.visitMethod(Opcodes.ACC_PRIVATE, "<init>", constructor, null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        int slot = 1;
        for (int i = 0; i < captured.length; i++) {
            init.visitVarInsn(Opcodes.ALOAD, 0);
            init.visitVarInsn(captured[i].getOpcode(Opcodes.ILOAD), slot);
            init.visitFieldInsn(Opcodes.PUTFIELD, name, "captured" + i, captured[i].getDescriptor());
            slot += captured[i].getSize();
        }
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        if (captured.length == 0) {
            writer.visitField(Opcodes.ACC_STATIC | Opcodes.ACC_FINAL, INSTANCE, interfaceDescriptor, null, null).visitEnd();
            MethodVisitor clinit = writer.visitMethod(Opcodes.ACC_STATIC, "<clinit>", "()V", null, null);
            clinit.visitCode();
            clinit.visitTypeInsn(Opcodes.NEW, name);
            clinit.visitInsn(Opcodes.DUP);
            clinit.visitMethodInsn(Opcodes.INVOKESPECIAL, name, "<init>", "()V", false);
            clinit.visitFieldInsn(Opcodes.PUTSTATIC, name, INSTANCE, interfaceDescriptor);
            clinit.visitInsn(Opcodes.RETURN);
            clinit.visitMaxs(0, 0);
            clinit.visitEnd();
        } else {
            MethodVisitor factory = writer.visitMethod(Opcodes.ACC_STATIC, FACTORY,
                    site.capturedAndInterface().getDescriptor(), null, null);
            factory.visitCode();
            factory.visitTypeInsn(Opcodes.NEW, name);
            factory.visitInsn(Opcodes.DUP);
            slot = 0;
            for (Type type : captured) {
                factory.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slot);
                slot += type.getSize();
            }
            factory.visitMethodInsn(Opcodes.INVOKESPECIAL, name, "<init>", constructor, false);
            factory.visitInsn(Opcodes.ARETURN);
            factory.visitMaxs(0, 0);
            factory.visitEnd();
        }
        interfaceMethod(writer, name, site, site.erased());
        for (Type bridge : site.bridges()) {
            if (!bridge.equals(site.erased())) {
                interfaceMethod(writer, name, site, bridge);
            }
        }
        writer.visitEnd();
        return writer.toByteArray();
    }

    /** The interface's method, of the descriptor given: the captured values, then its arguments. */
    private static void interfaceMethod(ClassWriter writer, String name, Site site, Type descriptor) {
        MethodVisitor code = writer.visitMethod(Opcodes.ACC_PUBLIC, site.interfaceMethod(), descriptor.getDescriptor(),
                null, null);
        code.visitCode();
        Handle implementation = site.implementation();
        Type implementationType = Type.getMethodType(implementation.getDesc());
        List<Type> parameters = new ArrayList<>();
        Type result = implementationType.getReturnType();
        switch (implementation.getTag()) {
            case Opcodes.H_INVOKESTATIC -> { }
            case Opcodes.H_INVOKEVIRTUAL, Opcodes.H_INVOKEINTERFACE ->
                    parameters.add(Type.getObjectType(implementation.getOwner()));
            case Opcodes.H_NEWINVOKESPECIAL -> {
                code.visitTypeInsn(Opcodes.NEW, implementation.getOwner());
                code.visitInsn(Opcodes.DUP);
                result = Type.getObjectType(implementation.getOwner());
            }
            default -> throw new IllegalStateException(name + ": implementation method kind " + implementation.getTag()
                    + " of " + implementation + " is not supported");
        }
        parameters.addAll(List.of(implementationType.getArgumentTypes()));
        Type[] captured = site.captured();
        Type[] arguments = descriptor.getArgumentTypes();
        Type[] instantiated = site.instantiated().getArgumentTypes();
        if (parameters.size() != captured.length + arguments.length || instantiated.length != arguments.length) {
            throw new IllegalStateException(name + ": " + implementation + " does not take the captured values "
                    + List.of(captured) + " and the arguments " + descriptor);
        }
        for (int i = 0; i < captured.length; i++) {
            code.visitVarInsn(Opcodes.ALOAD, 0);
            code.visitFieldInsn(Opcodes.GETFIELD, name, "captured" + i, captured[i].getDescriptor());
        }
        int slot = 1;
        for (int i = 0; i < arguments.length; i++) {
            code.visitVarInsn(arguments[i].getOpcode(Opcodes.ILOAD), slot);
            slot += arguments[i].getSize();
            convert(code, arguments[i], parameters.get(captured.length + i), instantiated[i]);
        }
        switch (implementation.getTag()) {
            case Opcodes.H_INVOKESTATIC -> code.visitMethodInsn(Opcodes.INVOKESTATIC, implementation.getOwner(),
                    implementation.getName(), implementation.getDesc(), implementation.isInterface());
            case Opcodes.H_INVOKEVIRTUAL -> code.visitMethodInsn(Opcodes.INVOKEVIRTUAL, implementation.getOwner(),
                    implementation.getName(), implementation.getDesc(), false);
            case Opcodes.H_INVOKEINTERFACE -> code.visitMethodInsn(Opcodes.INVOKEINTERFACE, implementation.getOwner(),
                    implementation.getName(), implementation.getDesc(), true);
            default -> code.visitMethodInsn(Opcodes.INVOKESPECIAL, implementation.getOwner(), "<init>",
                    implementation.getDesc(), false);
        }
        Type returned = descriptor.getReturnType();
        if (returned.getSort() == Type.VOID) {
            if (result.getSort() != Type.VOID) {
                code.visitInsn(result.getSize() == 2 ? Opcodes.POP2 : Opcodes.POP);
            }
            code.visitInsn(Opcodes.RETURN);
        } else {
            convert(code, result, returned, returned);
            code.visitInsn(returned.getOpcode(Opcodes.IRETURN));
        }
        code.visitMaxs(0, 0);
        code.visitEnd();
    }

    /**
     * Converts the value on the stack from {@code from} to {@code to} as {@code LambdaMetafactory}
     * does; {@code functional} is the type the site instantiated the interface's generic type at,
     * which tells what a reference unboxes from.
     */
    private static void convert(MethodVisitor code, Type from, Type to, Type functional) {
        if (from.equals(to)) {
            return;
        }
        boolean fromPrimitive = from.getSort() < Type.ARRAY;
        boolean toPrimitive = to.getSort() < Type.ARRAY;
        if (fromPrimitive && toPrimitive) {
            widen(code, from, to);
        } else if (fromPrimitive) {
            Type box = box(from);
            code.visitMethodInsn(Opcodes.INVOKESTATIC, box.getInternalName(), "valueOf",
                    Type.getMethodDescriptor(box, from), false);
        } else if (toPrimitive) {
            Type unboxed = unbox(functional);
            if (unboxed == null) {
                unboxed = unbox(from);
            }
            if (unboxed == null) {
                unboxed = to;
            }
            Type box = box(unboxed);
            if (!from.equals(box)) {
                code.visitTypeInsn(Opcodes.CHECKCAST, box.getInternalName());
            }
            code.visitMethodInsn(Opcodes.INVOKEVIRTUAL, box.getInternalName(), unboxed.getClassName() + "Value",
                    Type.getMethodDescriptor(unboxed), false);
            widen(code, unboxed, to);
        } else if (!to.getDescriptor().equals("Ljava/lang/Object;")) {
            code.visitTypeInsn(Opcodes.CHECKCAST, to.getSort() == Type.ARRAY ? to.getDescriptor() : to.getInternalName());
        }
    }

    /** A widening primitive conversion (byte, short and char are ints on the stack). */
    private static void widen(MethodVisitor code, Type from, Type to) {
        boolean intOnStack = from.getSort() >= Type.CHAR && from.getSort() <= Type.INT;
        if (from.equals(to) || intOnStack && (to.equals(Type.INT_TYPE) || from.equals(Type.BYTE_TYPE) && to.equals(Type.SHORT_TYPE))) {
            return;
        }
        int source = intOnStack ? Type.INT : from.getSort();
        int opcode = switch (source * 16 + to.getSort()) {
            case Type.INT * 16 + Type.LONG -> Opcodes.I2L;
            case Type.INT * 16 + Type.FLOAT -> Opcodes.I2F;
            case Type.INT * 16 + Type.DOUBLE -> Opcodes.I2D;
            case Type.LONG * 16 + Type.FLOAT -> Opcodes.L2F;
            case Type.LONG * 16 + Type.DOUBLE -> Opcodes.L2D;
            case Type.FLOAT * 16 + Type.DOUBLE -> Opcodes.F2D;
            default -> throw new IllegalStateException("no widening conversion from " + from + " to " + to);
        };
        code.visitInsn(opcode);
    }

    private static final Map<Type, Type> BOXES = Map.of(
            Type.BOOLEAN_TYPE, Type.getObjectType("java/lang/Boolean"),
            Type.CHAR_TYPE, Type.getObjectType("java/lang/Character"),
            Type.BYTE_TYPE, Type.getObjectType("java/lang/Byte"),
            Type.SHORT_TYPE, Type.getObjectType("java/lang/Short"),
            Type.INT_TYPE, Type.getObjectType("java/lang/Integer"),
            Type.LONG_TYPE, Type.getObjectType("java/lang/Long"),
            Type.FLOAT_TYPE, Type.getObjectType("java/lang/Float"),
            Type.DOUBLE_TYPE, Type.getObjectType("java/lang/Double"));

    private static Type box(Type primitive) {
        return BOXES.get(primitive);
    }

    /** The primitive type a wrapper type holds, or null for another type. */
    private static Type unbox(Type type) {
        for (Map.Entry<Type, Type> entry : BOXES.entrySet()) {
            if (entry.getValue().equals(type)) {
                return entry.getKey();
            }
        }
        return null;
    }
}
