package io.k8s4claw.api.runtime;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The runtime adapters available on a class path, by runtime id. Immutable and thread-safe.
 *
 * <pre>{@code
 * RuntimeAdapters adapters = RuntimeAdapters.load();
 * PodContribution pod = adapters.require(claw.getSpec().getRuntime()).render(RenderContext.of(claw, channels));
 * }</pre>
 */
public final class RuntimeAdapters {

    private final Map<String, RuntimeAdapter> byId;

    private RuntimeAdapters(Map<String, RuntimeAdapter> byId) {
        this.byId = Collections.unmodifiableMap(byId);
    }

    /** Loads every adapter registered through {@link ServiceLoader} with the thread's context class loader. */
    public static RuntimeAdapters load() {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        return load(loader != null ? loader : RuntimeAdapters.class.getClassLoader());
    }

    /** Loads every adapter registered through {@link ServiceLoader} in {@code classLoader}. */
    public static RuntimeAdapters load(ClassLoader classLoader) {
        List<RuntimeAdapter> found = new ArrayList<>();
        try {
            ServiceLoader.load(RuntimeAdapter.class, classLoader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new IllegalStateException(
                    "a runtime adapter listed in META-INF/services/" + RuntimeAdapter.class.getName()
                            + " could not be loaded: " + e.getMessage(),
                    e);
        }
        return of(found);
    }

    /** A registry of the given adapters (tests, or callers that wire adapters by hand). */
    public static RuntimeAdapters of(Collection<? extends RuntimeAdapter> adapters) {
        Map<String, RuntimeAdapter> byId = new TreeMap<>();
        for (RuntimeAdapter adapter : adapters) {
            Objects.requireNonNull(adapter, "adapter");
            String id = adapter.runtimeId();
            RuntimeAdapter previous = byId.putIfAbsent(id, adapter);
            if (previous != null) {
                throw new IllegalStateException("two runtime adapters claim runtime '" + id + "': "
                        + previous.getClass().getName() + " and "
                        + adapter.getClass().getName()
                        + "; remove one of them from the class path");
            }
        }
        return new RuntimeAdapters(byId);
    }

    /** The adapter for {@code runtimeId}, if one is registered. */
    public Optional<RuntimeAdapter> find(String runtimeId) {
        return Optional.ofNullable(runtimeId).map(byId::get);
    }

    /** The adapter for {@code runtimeId}; fails with the list of known runtimes when there is none. */
    public RuntimeAdapter require(String runtimeId) {
        return find(runtimeId)
                .orElseThrow(() -> new IllegalArgumentException(
                        "no runtime adapter for runtime '" + runtimeId + "'; available: " + byId.keySet()
                                + (byId.isEmpty() ? " (is claw-runtime-adapters on the class path?)" : "")));
    }

    /** Registered runtime ids, sorted. */
    public List<String> runtimeIds() {
        return List.copyOf(byId.keySet());
    }

    /** Descriptors of every registered runtime, sorted by id. */
    public List<RuntimeDescriptor> descriptors() {
        return byId.values().stream().map(RuntimeAdapter::descriptor).toList();
    }

    /** Every registered adapter, sorted by runtime id. */
    public List<RuntimeAdapter> all() {
        return List.copyOf(byId.values());
    }
}
