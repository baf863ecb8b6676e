package io.k8s4claw.channel.common;

import io.k8s4claw.api.json.Json;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The sidecar's configuration: {@code CHANNEL_CONFIG} (the ClawChannel's {@code spec.config} as JSON) and
 * the secrets from the environment. Every accessor names the key in its error, e.g.
 * {@code CHANNEL_CONFIG.streaming must be true or false, got "yes"}.
 */
public final class ChannelConfig {
    private final Json config;
    private final Map<String, String> env;
    /** Every key a channel asked for: what it knows, for {@link #refuseUnknownKeys}. */
    private final Set<String> known = new TreeSet<>();

    private ChannelConfig(Json config, Map<String, String> env) {
        this.config = config;
        this.env = env;
    }

    /** Parses {@code CHANNEL_CONFIG} (absent or blank means {@code {}}). */
    public static ChannelConfig from(String channelConfigJson, Map<String, String> env) {
        if (channelConfigJson == null || channelConfigJson.isBlank()) {
            return new ChannelConfig(Json.object(), env);
        }
        Json node;
        try {
            node = Json.parse(channelConfigJson);
        } catch (Json.ParseException e) {
            throw new ConfigException("CHANNEL_CONFIG is not valid JSON (line " + e.line() + ", column " + e.column()
                    + "): " + e.getMessage());
        }
        if (!node.isObject()) {
            throw new ConfigException(
                    "CHANNEL_CONFIG must be a JSON object (the ClawChannel's spec.config), got " + node.getNodeType());
        }
        return new ChannelConfig(node, env);
    }

    /**
     * Refuses keys no accessor asked for, listing the known ones: a misspelled key ({@code outboundURL}) would
     * otherwise be ignored and its default used without a word. Call it once the channel read its configuration.
     */
    public void refuseUnknownKeys(String channelType) {
        List<String> unknown = new ArrayList<>();
        for (var e : config.entries()) {
            if (!known.contains(e.getKey())) unknown.add(e.getKey());
        }
        if (unknown.isEmpty()) return;
        StringBuilder msg = new StringBuilder();
        for (String key : unknown) {
            if (!msg.isEmpty()) msg.append("; ");
            msg.append("CHANNEL_CONFIG.")
                    .append(key)
                    .append(" is not a key of the ")
                    .append(channelType)
                    .append(" channel");
            known.stream()
                    .filter(k -> k.equalsIgnoreCase(key))
                    .findFirst()
                    .ifPresent(k -> msg.append(" (did you mean ").append(k).append("?)"));
        }
        throw new ConfigException(msg + "; known keys: " + String.join(", ", known));
    }

    public String string(String key, String defaultValue) {
        known.add(key);
        Json v = config.get(key);
        if (v == null || v.isNull()) return defaultValue;
        if (!v.isTextual())
            throw new ConfigException("CHANNEL_CONFIG." + key + " must be a string, got " + v.getNodeType() + " " + v);
        return v.asText();
    }

    public String requiredString(String key, String what) {
        String v = string(key, null);
        if (v == null || v.isBlank()) throw new ConfigException("CHANNEL_CONFIG." + key + " is required: " + what);
        return v;
    }

    public boolean bool(String key, boolean defaultValue) {
        known.add(key);
        Json v = config.get(key);
        if (v == null || v.isNull()) return defaultValue;
        if (v.isBoolean()) return v.asBoolean();
        if (v.isTextual() && (v.asText().equals("true") || v.asText().equals("false")))
            return Boolean.parseBoolean(v.asText());
        throw new ConfigException("CHANNEL_CONFIG." + key + " must be true or false, got " + v);
    }

    public long integer(String key, long defaultValue, long min, long max) {
        known.add(key);
        Json v = config.get(key);
        if (v == null || v.isNull()) return defaultValue;
        long n;
        if (v.isIntegralNumber()) {
            n = v.asLong();
        } else if (v.isTextual()) {
            try {
                n = Long.parseLong(v.asText().trim());
            } catch (NumberFormatException e) {
                throw new ConfigException("CHANNEL_CONFIG." + key + " must be an integer, got " + v);
            }
        } else {
            throw new ConfigException("CHANNEL_CONFIG." + key + " must be an integer, got " + v);
        }
        if (n < min || n > max)
            throw new ConfigException(
                    "CHANNEL_CONFIG." + key + " must be between " + min + " and " + max + ", got " + n);
        return n;
    }

    /** An absolute http(s) URL. */
    public URI url(String key, String defaultValue) {
        String v = string(key, defaultValue);
        if (v == null) return null;
        try {
            URI uri = URI.create(v);
            if (uri.getScheme() == null
                    || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("not an absolute http(s) URL");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new ConfigException("CHANNEL_CONFIG." + key + " must be an absolute http(s) URL, got \"" + v + "\"");
        }
    }

    /** A secret from the environment (the channel's credentials Secret via envFrom). */
    public Secret secret(String envName, String what) {
        String v = env.get(envName);
        if (v == null || v.isBlank()) {
            throw new ConfigException("environment variable " + envName + " is missing: " + what
                    + " (put it in the Secret named by the ClawChannel's spec.credentials.secretRef)");
        }
        return new Secret(envName, v.trim());
    }

    public Secret optionalSecret(String envName) {
        String v = env.get(envName);
        return v == null || v.isBlank() ? null : new Secret(envName, v.trim());
    }

    public String env(String name, String defaultValue) {
        String v = env.get(name);
        return v == null || v.isBlank() ? defaultValue : v;
    }
}
