package io.k8s4claw.adapters.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Scripts shipped as class-path resources next to the adapter that renders them into a ConfigMap. */
public final class Scripts {

    /**
     * Read once per class loader's lifetime: the operator renders every Claw on every reconcile, and reading the jar
     * each time was a visible share of its CPU at a thousand Claws.
     */
    private static final Map<String, String> LOADED = new ConcurrentHashMap<>();

    private Scripts() {}

    public static String load(Class<?> owner, String name) {
        return LOADED.computeIfAbsent(owner.getName() + "\n" + name, key -> read(owner, name));
    }

    private static String read(Class<?> owner, String name) {
        try (InputStream in = owner.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("resource " + name + " missing next to " + owner.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
