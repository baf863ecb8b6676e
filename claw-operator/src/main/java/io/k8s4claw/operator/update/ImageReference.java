package io.k8s4claw.operator.update;

import java.util.Locale;

/**
 * Where an image's tags are listed: the registry host (with port) and the repository path, read the way Docker
 * reads a reference: a first component with a dot, a colon or {@code localhost} names the registry, else Docker Hub
 * ({@code registry-1.docker.io}, official images under {@code library/}).
 *
 * @param registry host[:port] the API is served from
 * @param repository path of the repository in that registry
 * @param configKey the host under which a {@code .dockerconfigjson} keeps this registry's credentials
 */
public record ImageReference(String registry, String repository, String configKey) {

    static final String DOCKER_HUB_API = "registry-1.docker.io";

    /** Reads a repository reference without tag or digest, e.g. {@code ghcr.io/openclaw/openclaw}. */
    public static ImageReference parse(String reference) {
        String ref = reference.trim();
        if (ref.contains("@")) {
            throw new IllegalArgumentException(
                    "'" + reference + "' is pinned by digest; auto-update needs a repository to list tags of");
        }
        int slash = ref.indexOf('/');
        String first = slash < 0 ? "" : ref.substring(0, slash);
        if (slash > 0 && (first.contains(".") || first.contains(":") || first.equals("localhost"))) {
            String host = first.toLowerCase(Locale.ROOT);
            if (host.equals("docker.io") || host.equals("index.docker.io")) {
                return dockerHub(ref.substring(slash + 1));
            }
            return new ImageReference(host, ref.substring(slash + 1), host);
        }
        return dockerHub(ref);
    }

    private static ImageReference dockerHub(String path) {
        return new ImageReference(
                DOCKER_HUB_API, path.contains("/") ? path : "library/" + path, "https://index.docker.io/v1/");
    }

    /** Loopback registries speak plain HTTP, as Docker assumes for them; every other registry HTTPS. */
    public String baseUrl() {
        String host = registry.replaceFirst(":\\d+$", "");
        boolean loopback = host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]");
        return (loopback ? "http://" : "https://") + registry;
    }
}
