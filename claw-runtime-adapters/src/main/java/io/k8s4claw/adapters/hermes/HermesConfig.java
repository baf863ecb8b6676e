package io.k8s4claw.adapters.hermes;

import io.k8s4claw.adapters.support.Specs;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Translates a Claw's {@code spec.config} into Hermes's {@code config.yaml} and builds the managed scope.
 *
 * <p>Documented shorthand keys (the left column) become Hermes keys; every other key is passed through
 * unchanged, so native Hermes configuration works as well. A native key written next to a shorthand wins
 * (it is more specific). Under {@code Passthrough} no mapping happens.
 *
 * <table>
 *   <tr><th>spec.config</th><th>config.yaml</th></tr>
 *   <tr><td>{@code model: "<name>"}</td><td>{@code model.default}</td></tr>
 *   <tr><td>{@code provider}</td><td>{@code model.provider}</td></tr>
 *   <tr><td>{@code baseUrl}</td><td>{@code model.base_url}</td></tr>
 *   <tr><td>{@code learningEnabled}</td><td>{@code curator.enabled}, {@code memory.memory_enabled},
 *       {@code memory.user_profile_enabled}</td></tr>
 *   <tr><td>{@code memoryEnabled}</td><td>{@code memory.memory_enabled}</td></tr>
 *   <tr><td>{@code userProfileEnabled}</td><td>{@code memory.user_profile_enabled}</td></tr>
 *   <tr><td>{@code curatorEnabled}</td><td>{@code curator.enabled}</td></tr>
 *   <tr><td>{@code skillsWriteApproval}</td><td>{@code skills.write_approval}</td></tr>
 *   <tr><td>{@code maxConcurrentRuns}</td><td>{@code gateway.api_server.max_concurrent_runs}</td></tr>
 *   <tr><td>{@code autoPrune}</td><td>{@code sessions.auto_prune}</td></tr>
 *   <tr><td>{@code drainTimeoutSeconds}</td><td>{@code agent.restart_drain_timeout}</td></tr>
 * </table>
 */
final class HermesConfig {

    /** Shorthand key → Hermes paths, and the JSON type it must have. */
    private record Shorthand(String key, Class<?> type, List<List<String>> targets) {}

    private static final List<Shorthand> SHORTHANDS = List.of(
            new Shorthand("model", String.class, List.of(List.of("model", "default"))),
            new Shorthand("provider", String.class, List.of(List.of("model", "provider"))),
            new Shorthand("baseUrl", String.class, List.of(List.of("model", "base_url"))),
            new Shorthand(
                    "learningEnabled",
                    Boolean.class,
                    List.of(
                            List.of("curator", "enabled"),
                            List.of("memory", "memory_enabled"),
                            List.of("memory", "user_profile_enabled"))),
            new Shorthand("memoryEnabled", Boolean.class, List.of(List.of("memory", "memory_enabled"))),
            new Shorthand("userProfileEnabled", Boolean.class, List.of(List.of("memory", "user_profile_enabled"))),
            new Shorthand("curatorEnabled", Boolean.class, List.of(List.of("curator", "enabled"))),
            new Shorthand("skillsWriteApproval", Boolean.class, List.of(List.of("skills", "write_approval"))),
            new Shorthand(
                    "maxConcurrentRuns",
                    Integer.class,
                    List.of(List.of("gateway", "api_server", "max_concurrent_runs"))),
            new Shorthand("autoPrune", Boolean.class, List.of(List.of("sessions", "auto_prune"))),
            new Shorthand("drainTimeoutSeconds", Integer.class, List.of(List.of("agent", "restart_drain_timeout"))));

    /** Keys the managed scope pins; setting them in spec.config has no effect, so it is rejected. */
    static final List<List<String>> PINNED = List.of(
            List.of("gateway", "api_server", "enabled"),
            List.of("gateway", "api_server", "host"),
            List.of("gateway", "api_server", "port"),
            List.of("gateway", "api_server", "key"),
            List.of("security", "redact_secrets"));

    /** Built-in Hermes platforms switched off (managed scope) when the bridge carries the channels (Option B). */
    static final List<String> BUILT_IN_PLATFORMS = List.of(
            "telegram",
            "discord",
            "slack",
            "whatsapp",
            "signal",
            "matrix",
            "mattermost",
            "email",
            "sms",
            "homeassistant");

    /** Platform token variables kept out of the runtime's environment under Option B. */
    static final List<String> PLATFORM_TOKEN_ENV =
            List.of("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN", "TELEGRAM_BOT_TOKEN");

    private HermesConfig() {}

    /** What the adapter puts under the user's config (DeepMerge base). */
    static Map<String, Object> defaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("memory", map("memory_enabled", true, "user_profile_enabled", true));
        d.put("curator", map("enabled", true));
        // state.db grows without bound otherwise (0.5–2 GB per busy agent).
        d.put("sessions", map("auto_prune", true));
        // Drain in-flight turns on SIGTERM; with the 60 s watchdog this stays well inside the pod's grace.
        d.put("agent", map("restart_drain_timeout", 25));
        return d;
    }

    /** Type errors in shorthand keys and attempts to set pinned keys, with {@code spec.config...} paths. */
    static List<FieldError> validate(Map<String, Object> user, MergeMode mode) {
        List<FieldError> errors = new ArrayList<>();
        if (mode.mapsKeys()) {
            for (Shorthand s : SHORTHANDS) {
                Object v = user.get(s.key());
                if (v == null || s.type().isInstance(v) || ("model".equals(s.key()) && v instanceof Map)) {
                    continue;
                }
                if (s.type() == Integer.class && (v instanceof Long || v instanceof Short)) {
                    continue;
                }
                errors.add(new FieldError(
                        "spec.config." + s.key(),
                        "must be " + typeName(s.type()) + ", got " + Specs.describe(v)
                                + (s.key().equals("model")
                                        ? " (or write Hermes's native model: {provider, default, base_url})"
                                        : "")));
            }
        }
        for (List<String> pinned : PINNED) {
            if (lookup(user, pinned) != null) {
                errors.add(new FieldError(
                        "spec.config." + String.join(".", pinned),
                        "is pinned by the hermesclaw adapter"
                                + " (the API server stays on 127.0.0.1:8642 with the generated key; secrets "
                                + "stay redacted); remove it"));
            }
        }
        return errors;
    }

    /**
     * Where a model on a custom endpoint takes its key from. Hermes (checked with 0.19.0) reads the key of a
     * model on a custom {@code base_url} only from {@code model.api_key}, never from {@code OPENAI_API_KEY}, so the
     * key in the Claw's credentials Secret would be ignored; Hermes expands {@code ${VAR}} in config values, so
     * the rendered config names the variable and the key itself stays in the Secret.
     */
    static final String CUSTOM_ENDPOINT_KEY_REF = "${OPENAI_API_KEY}";

    /** The config.yaml the Claw asks for: adapter defaults merged with the (mapped) user config by {@code mode}. */
    static Map<String, Object> render(Map<String, Object> user, MergeMode mode) {
        Map<String, Object> overlay = mode.mapsKeys() ? mapShorthands(user) : user;
        Map<String, Object> rendered = mode.merge(defaults(), overlay);
        if (mode.mapsKeys()
                && rendered.get("model") instanceof Map<?, ?> model
                && model.get("base_url") != null
                && model.get("api_key") == null
                && (model.get("provider") == null || "custom".equals(model.get("provider")))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> withKey = new LinkedHashMap<>((Map<String, Object>) model);
            withKey.put("api_key", CUSTOM_ENDPOINT_KEY_REF);
            rendered.put("model", withKey);
        }
        return rendered;
    }

    static Map<String, Object> mapShorthands(Map<String, Object> user) {
        Map<String, Object> fromShorthands = new LinkedHashMap<>();
        Map<String, Object> rest = new LinkedHashMap<>(user);
        for (Shorthand s : SHORTHANDS) {
            Object v = user.get(s.key());
            if (v == null || ("model".equals(s.key()) && v instanceof Map)) {
                continue; // native model block passes through
            }
            rest.remove(s.key());
            for (List<String> target : s.targets()) {
                put(fromShorthands, target, v);
            }
        }
        return MergeMode.DEEP_MERGE.merge(fromShorthands, rest);
    }

    /**
     * The managed {@code config.yaml}: API server pinned to loopback, secrets redacted, and under Option B the
     * built-in platforms off. The relay platform is vetoed unless the bridge is the relay.
     */
    static Map<String, Object> managedConfig(boolean bridgeCarriesChannels, boolean relay) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(
                "gateway",
                map(
                        "api_server",
                        map("enabled", true, "host", HermesClawAdapter.API_HOST, "port", HermesClawAdapter.API_PORT)));
        m.put("security", map("redact_secrets", true));
        Map<String, Object> platforms = new LinkedHashMap<>();
        if (bridgeCarriesChannels) {
            for (String p : BUILT_IN_PLATFORMS) {
                platforms.put(p, map("enabled", false));
            }
        }
        if (!relay) {
            platforms.put("relay", map("enabled", false));
        }
        m.put("platforms", platforms);
        return m;
    }

    /**
     * The non-secret part of the managed {@code .env} (Hermes applies it after {@code $HERMES_HOME/.env}, which in
     * turn overrides the pod's environment). The init container appends the secret lines from its environment.
     */
    static String managedEnv(boolean bridgeCarriesChannels, RelaySettings relay) {
        StringBuilder b = new StringBuilder();
        b.append("# Pinned by k8s4claw (hermesclaw adapter). Applied after $HERMES_HOME/.env; secret lines are added "
                + "at pod start.\n");
        b.append("API_SERVER_ENABLED=true\n");
        b.append("API_SERVER_HOST=").append(HermesClawAdapter.API_HOST).append('\n');
        b.append("API_SERVER_PORT=").append(HermesClawAdapter.API_PORT).append('\n');
        b.append("HERMES_YOLO_MODE=\n");
        if (relay != null) {
            b.append("GATEWAY_RELAY_URL=").append(relay.url()).append('\n');
            b.append("GATEWAY_RELAY_ID=").append(relay.id()).append('\n');
            if (!relay.platforms().isEmpty()) {
                b.append("GATEWAY_RELAY_PLATFORMS=")
                        .append(String.join(",", relay.platforms()))
                        .append('\n');
            }
            b.append("GATEWAY_RELAY_ALLOW_DIRECT_PLATFORMS=\n");
        } else {
            b.append("GATEWAY_RELAY_URL=\n");
        }
        if (bridgeCarriesChannels) {
            for (String name : PLATFORM_TOKEN_ENV) {
                b.append(name).append("=\n");
            }
        }
        return b.toString();
    }

    record RelaySettings(String url, String id, List<String> platforms) {}

    @SuppressWarnings("unchecked")
    private static void put(Map<String, Object> tree, List<String> path, Object value) {
        Map<String, Object> node = tree;
        for (int i = 0; i < path.size() - 1; i++) {
            node = (Map<String, Object>) node.computeIfAbsent(path.get(i), k -> new LinkedHashMap<String, Object>());
        }
        node.put(path.get(path.size() - 1), value);
    }

    private static Object lookup(Map<String, ?> tree, List<String> path) {
        Object node = tree;
        for (String key : path) {
            if (!(node instanceof Map<?, ?> m)) {
                return null;
            }
            node = m.get(key);
        }
        return node;
    }

    private static String typeName(Class<?> type) {
        return type == Boolean.class ? "true or false" : type == Integer.class ? "an integer" : "a string";
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
