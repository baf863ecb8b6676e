package io.k8s4claw.operator.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The user and password a {@code kubernetes.io/dockerconfigjson} Secret holds for one registry — what the kubelet
 * would pull with. Only in memory; never logged: {@link #toString()} hides the password.
 */
public record RegistryCredentials(String username, String password) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code Basic base64(user:password)}. */
    public String basicHeader() {
        return "Basic "
                + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The credentials the {@code .dockerconfigjson} documents keep for {@code image}'s registry: the entry whose key is
     * the registry host, with or without {@code https://} and a path ({@code https://index.docker.io/v1/} for
     * Docker Hub), either as {@code auth} (base64 of user:password) or {@code username} and {@code password}.
     *
     * @throws IllegalArgumentException when a document is not a docker config (the message names no secret value)
     */
    public static Optional<RegistryCredentials> find(List<byte[]> dockerConfigs, ImageReference image) {
        for (byte[] doc : dockerConfigs) {
            JsonNode auths;
            try {
                auths = JSON.readTree(doc).path("auths");
            } catch (IOException e) {
                throw new IllegalArgumentException("an image pull Secret's .dockerconfigjson is not JSON");
            }
            for (var it = auths.fields(); it.hasNext(); ) {
                var entry = it.next();
                if (!host(entry.getKey()).equals(host(image.configKey()))
                        && !host(entry.getKey()).equals(image.registry())) {
                    continue;
                }
                JsonNode e = entry.getValue();
                if (e.hasNonNull("username") && e.hasNonNull("password")) {
                    return Optional.of(new RegistryCredentials(
                            e.get("username").asText(), e.get("password").asText()));
                }
                if (e.hasNonNull("auth")) {
                    String decoded;
                    try {
                        decoded = new String(
                                Base64.getDecoder().decode(e.get("auth").asText()), StandardCharsets.UTF_8);
                    } catch (IllegalArgumentException bad) {
                        throw new IllegalArgumentException("the .dockerconfigjson entry for " + entry.getKey()
                                + " has an auth that is not base64");
                    }
                    int colon = decoded.indexOf(':');
                    if (colon < 0) {
                        throw new IllegalArgumentException("the .dockerconfigjson entry for " + entry.getKey()
                                + " has an auth that is not user:password");
                    }
                    return Optional.of(
                            new RegistryCredentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
                }
            }
        }
        return Optional.empty();
    }

    private static String host(String key) {
        String k = key.replaceFirst("^https?://", "");
        int slash = k.indexOf('/');
        k = slash < 0 ? k : k.substring(0, slash);
        return k.equals("index.docker.io") || k.equals("docker.io")
                ? ImageReference.DOCKER_HUB_API
                : k.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "RegistryCredentials[username=" + username + ", password=<hidden>]";
    }
}
