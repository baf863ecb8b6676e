package io.k8s4claw.adapters.openclaw;

import io.k8s4claw.adapters.support.Specs;
import io.k8s4claw.api.runtime.MergeMode;
import io.k8s4claw.api.validation.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Builds {@code openclaw.json} for openclaw 2026.9.x, whose schema is strict (an unknown key stops the gateway
 * with exit code 78), from a Claw's {@code spec.config}.
 *
 * <p>Shorthand keys: {@code model: "<provider>/<model>"} → {@code agents.defaults.model.primary} (a bare
 * {@code claude-*}, {@code gpt-*}/{@code o1..o4*} or {@code gemini-*} name gets its provider prefix);
 * {@code logLevel} → {@code logging.level}; {@code providers} → {@code models.providers} (with
 * {@code models.mode: merge}); {@code timeoutSeconds} → {@code agents.defaults.timeoutSeconds}. Every other
 * top-level key must be an OpenClaw root key and is passed through.
 */
final class OpenClawConfig {

    /** Root keys of OpenClawSchemaShape in 2026.9.6 (docs/runtime-adapters.md, openclaw.json). */
    static final Set<String> ROOT_KEYS = Set.of(
            "$schema",
            "meta",
            "env",
            "wizard",
            "diagnostics",
            "logging",
            "update",
            "telemetry",
            "browser",
            "ui",
            "secrets",
            "auth",
            "accessGroups",
            "acp",
            "models",
            "nodeHost",
            "agents",
            "worktreeRoot",
            "worktreeAcceleration",
            "tools",
            "security",
            "bindings",
            "broadcast",
            "attachments",
            "messages",
            "tts",
            "commands",
            "approvals",
            "session",
            "cron",
            "transcripts",
            "hooks",
            "channels",
            "discovery",
            "talk",
            "gateway",
            "cloudWorkers",
            "desktop",
            "memory",
            "mcp",
            "skills",
            "plugins",
            "surfaces",
            "proxy");

    private static final Set<String> SHORTHANDS = Set.of("model", "logLevel", "providers", "timeoutSeconds");
    private static final Pattern AGENT_ID = Pattern.compile("^[a-z0-9_][a-z0-9_-]{0,63}$");

    /** Gateway settings the adapter pins (bind, port, auth and mode decide who can reach the gateway). */
    private static final List<String> PINNED_GATEWAY =
            List.of("mode", "bind", "port", "auth", "customBindHost", "tailscale");

    private OpenClawConfig() {}

    static List<FieldError> validate(Map<String, Object> user, MergeMode mode, boolean optionB) {
        List<FieldError> errors = new ArrayList<>();
        for (String key : user.keySet()) {
            boolean shorthand = mode.mapsKeys() && SHORTHANDS.contains(key);
            if (!shorthand && !ROOT_KEYS.contains(key)) {
                errors.add(new FieldError(
                        "spec.config." + key,
                        "is not an OpenClaw configuration key (openclaw.json is strict:"
                                + " an unknown key stops the gateway); use one of " + new TreeSet<>(ROOT_KEYS)
                                + (mode.mapsKeys() ? " or the shorthands " + new TreeSet<>(SHORTHANDS) : "")));
            }
        }
        if (mode.mapsKeys()) {
            expectType(
                    user, "model", String.class, "a model reference such as \"anthropic/claude-sonnet-4-6\"", errors);
            expectType(user, "logLevel", String.class, "a level such as \"info\"", errors);
            expectType(user, "providers", Map.class, "an object of model providers", errors);
            expectType(user, "timeoutSeconds", Number.class, "a number of seconds", errors);
        }
        if (user.get("gateway") instanceof Map<?, ?> gateway) {
            for (String pinned : PINNED_GATEWAY) {
                if (gateway.containsKey(pinned)) {
                    errors.add(new FieldError(
                            "spec.config.gateway." + pinned,
                            "is set by the openclaw adapter (local mode, port 18789,"
                                    + " loopback unless spec.ingress exposes it, token auth from a "
                                    + "generated Secret); remove it"));
                }
            }
        }
        if (optionB && user.containsKey("channels")) {
            errors.add(new FieldError(
                    "spec.config.channels",
                    "OpenClaw's built-in channels cannot run while spec.channels routes"
                            + " messages through the bridge (both would answer); remove one of them"));
        }
        if (user.get("agents") instanceof Map<?, ?> agents) {
            if (agents.containsKey("list")) {
                errors.add(new FieldError(
                        "spec.config.agents.list",
                        "the legacy agents.list[] form is rejected by openclaw 2026.9.x;"
                                + " write agents.entries: {<id>: {...}}"));
            }
            if (agents.get("entries") instanceof Map<?, ?> entries) {
                if (entries.isEmpty()) {
                    errors.add(new FieldError(
                            "spec.config.agents.entries", "must contain at least one agent (or leave it out)"));
                }
                for (var e : entries.entrySet()) {
                    String id = String.valueOf(e.getKey());
                    if (!AGENT_ID.matcher(id).matches()) {
                        errors.add(new FieldError(
                                "spec.config.agents.entries." + id, "agent ids must match " + AGENT_ID.pattern()));
                    }
                    if (e.getValue() instanceof Map<?, ?> entry && entry.containsKey("id")) {
                        errors.add(new FieldError(
                                "spec.config.agents.entries." + id + ".id",
                                "the entry key is the agent id; remove id"));
                    }
                }
            }
        }
        return errors;
    }

    /**
     * The adapter's defaults: local gateway with token auth, no update checks, no mDNS, bootstrap ritual off,
     * one agent {@code main} working in {@code workspace}.
     */
    static Map<String, Object> defaults(String workspace, boolean exposed) {
        Map<String, Object> d = new LinkedHashMap<>();
        Map<String, Object> gateway = new LinkedHashMap<>();
        gateway.put("mode", "local");
        gateway.put("bind", exposed ? "lan" : "loopback");
        gateway.put("port", OpenClawAdapter.GATEWAY_PORT);
        gateway.put("auth", map("mode", "token"));
        if (!exposed) {
            gateway.put("controlUi", map("enabled", false));
        }
        // the admin host PTY is on by default: nobody in the pod needs a shell through the gateway
        gateway.put("terminal", map("enabled", false));
        d.put("gateway", gateway);
        d.put(
                "agents",
                map("defaults", map("workspace", workspace, "skipBootstrap", true), "entries", map("main", map())));
        d.put("update", map("checkOnStart", false));
        d.put("discovery", map("mdns", map("mode", "off")));
        return d;
    }

    /** Shorthands mapped to OpenClaw keys; native keys win over shorthands. */
    static Map<String, Object> mapShorthands(Map<String, Object> user) {
        Map<String, Object> mapped = new LinkedHashMap<>();
        Map<String, Object> rest = new LinkedHashMap<>(user);
        if (user.get("model") instanceof String model) {
            rest.remove("model");
            mapped = MergeMode.DEEP_MERGE.merge(
                    mapped, map("agents", map("defaults", map("model", map("primary", modelRef(model))))));
        }
        if (user.get("logLevel") instanceof String level) {
            rest.remove("logLevel");
            mapped = MergeMode.DEEP_MERGE.merge(mapped, map("logging", map("level", level)));
        }
        if (user.get("providers") instanceof Map<?, ?> providers) {
            rest.remove("providers");
            mapped = MergeMode.DEEP_MERGE.merge(mapped, map("models", map("mode", "merge", "providers", providers)));
        }
        if (user.get("timeoutSeconds") instanceof Number timeout) {
            rest.remove("timeoutSeconds");
            mapped = MergeMode.DEEP_MERGE.merge(mapped, map("agents", map("defaults", map("timeoutSeconds", timeout))));
        }
        return MergeMode.DEEP_MERGE.merge(mapped, rest);
    }

    /** {@code provider/model}: bare names of the big families get their bundled provider id. */
    static String modelRef(String model) {
        if (model.contains("/")) {
            return model;
        }
        String m = model.toLowerCase(Locale.ROOT);
        if (m.startsWith("claude")) {
            return "anthropic/" + model;
        }
        if (m.startsWith("gpt-") || m.matches("o[1-9].*")) {
            return "openai/" + model;
        }
        if (m.startsWith("gemini")) {
            return "google/" + model;
        }
        return model;
    }

    private static void expectType(
            Map<String, Object> user, String key, Class<?> type, String what, List<FieldError> errors) {
        Object v = user.get(key);
        if (v != null && !type.isInstance(v)) {
            errors.add(new FieldError("spec.config." + key, "must be " + what + ", got " + Specs.describe(v)));
        }
    }

    static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }
}
