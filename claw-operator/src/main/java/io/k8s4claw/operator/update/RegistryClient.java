package io.k8s4claw.operator.update;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists a repository's tags through the OCI distribution API ({@code GET /v2/<name>/tags/list}), the way ghcr.io
 * and Docker Hub expect a client to: ask anonymously; on {@code 401} with {@code WWW-Authenticate: Bearer realm=…,
 * service=…, scope=…} fetch a token from the realm (with the pull Secret's user and password as Basic auth when
 * there is one, anonymously otherwise) and ask again with it; on {@code WWW-Authenticate: Basic} ask again with the
 * credentials. Pages are followed through the {@code Link: <…>; rel="next"} header. Every way this can fail is a
 * {@link TagListing.Failed} whose message says what to do — never an exception, and never with a secret in it.
 *
 * <p>Uses the JDK HTTP client, the one the operator's Kubernetes client runs on too.
 */
public final class RegistryClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    /** Enough for any repository seen (Docker Hub's largest have some tens of thousands of tags). */
    static final int MAX_PAGES = 200;

    static final int PAGE_SIZE = 1000;

    private final HttpClient http;
    private final Duration timeout;
    private final int pageSize;

    public RegistryClient(HttpClient http, Duration timeout) {
        this(http, timeout, PAGE_SIZE);
    }

    /** {@code pageSize}: the {@code n} asked for per page (tests use a small one to make the registry page). */
    public RegistryClient(HttpClient http, Duration timeout, int pageSize) {
        this.http = http;
        this.timeout = timeout;
        this.pageSize = pageSize;
    }

    /** A client with its own connection pool, redirects followed (registries redirect token and blob requests). */
    public static RegistryClient create() {
        return new RegistryClient(
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(10))
                        .followRedirects(HttpClient.Redirect.NORMAL)
                        .build(),
                Duration.ofSeconds(30));
    }

    /** Every tag of {@code image}'s repository. */
    public TagListing listTags(ImageReference image, Optional<RegistryCredentials> credentials) {
        String where = image.registry() + "/" + image.repository();
        List<String> tags = new ArrayList<>();
        String url = image.baseUrl() + "/v2/" + image.repository() + "/tags/list?n=" + pageSize;
        String authorization = null;
        try {
            for (int page = 0; page < MAX_PAGES; page++) {
                HttpResponse<String> response = get(url, authorization);
                if (response.statusCode() == 401) {
                    Optional<String> challenged = answerChallenge(response, credentials, where);
                    if (challenged.isEmpty()) {
                        return unauthorized(where, credentials, "the registry asks for credentials");
                    }
                    authorization = challenged.get();
                    response = get(url, authorization);
                    if (response.statusCode() == 401 || response.statusCode() == 403) {
                        return unauthorized(
                                where, credentials, "the registry refused the token (" + response.statusCode() + ")");
                    }
                }
                if (response.statusCode() == 400 && page == 0 && url.contains("?n=")) {
                    // A registry whose page size limit is below ours (PAGINATION_NUMBER_INVALID): let it choose.
                    url = url.substring(0, url.indexOf("?n="));
                    response = get(url, authorization);
                }
                Optional<TagListing.Failed> failed = failure(response, where, credentials);
                if (failed.isPresent()) {
                    return failed.get();
                }
                JsonNode body;
                try {
                    body = JSON.readTree(response.body());
                } catch (IOException e) {
                    return invalid(where, "the tag list is not JSON");
                }
                JsonNode list = body == null ? null : body.get("tags");
                if (list == null || !(list.isArray() || list.isNull())) {
                    return invalid(where, "the answer has no \"tags\" array");
                }
                for (JsonNode t : list) {
                    if (!t.isTextual()) {
                        return invalid(where, "a tag is not a string");
                    }
                    tags.add(t.asText());
                }
                Optional<String> next = response.headers().firstValue("Link").flatMap(RegistryClient::next);
                if (next.isEmpty()) {
                    return new TagListing.Tags(tags);
                }
                url = URI.create(image.baseUrl() + "/").resolve(next.get()).toString();
            }
            return invalid(where, "more than " + MAX_PAGES + " pages of tags");
        } catch (IOException e) {
            return new TagListing.Failed(
                    TagListing.Problem.REGISTRY_UNREACHABLE,
                    "cannot reach registry " + image.registry() + ": " + describe(e)
                            + "; check the registry's address and that the operator's network may reach it");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new TagListing.Failed(
                    TagListing.Problem.REGISTRY_UNREACHABLE, "interrupted while asking " + image.registry());
        } catch (IllegalArgumentException e) {
            return invalid(where, "a URL in its answer is not valid (" + e.getMessage() + ")");
        }
    }

    private HttpResponse<String> get(String url, String authorization) throws IOException, InterruptedException {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().header("Accept", "application/json");
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The Authorization header that answers a 401's challenge, or empty when it cannot be answered. */
    private Optional<String> answerChallenge(
            HttpResponse<String> response, Optional<RegistryCredentials> credentials, String where)
            throws IOException, InterruptedException {
        String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return credentials.map(RegistryCredentials::basicHeader);
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            return Optional.empty();
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1).toLowerCase(Locale.ROOT), m.group(2));
        }
        String realm = params.remove("realm");
        if (realm == null || realm.isBlank()) {
            return Optional.empty();
        }
        StringBuilder url = new StringBuilder(realm);
        char sep = realm.contains("?") ? '&' : '?';
        for (var p : params.entrySet()) {
            if (p.getKey().equals("service") || p.getKey().equals("scope")) {
                url.append(sep)
                        .append(p.getKey())
                        .append('=')
                        .append(URLEncoder.encode(p.getValue(), StandardCharsets.UTF_8));
                sep = '&';
            }
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.toString()))
                .timeout(timeout)
                .GET();
        credentials.ifPresent(c -> request.header("Authorization", c.basicHeader()));
        HttpResponse<String> token =
                http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (token.statusCode() != 200) {
            return Optional.empty();
        }
        try {
            JsonNode body = JSON.readTree(token.body());
            String value = body.hasNonNull("token")
                    ? body.get("token").asText()
                    : body.path("access_token").asText("");
            return value.isBlank() ? Optional.empty() : Optional.of("Bearer " + value);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Optional<TagListing.Failed> failure(
            HttpResponse<String> response, String where, Optional<RegistryCredentials> credentials) {
        int code = response.statusCode();
        if (code == 200) {
            return Optional.empty();
        }
        if (code == 401 || code == 403) {
            return Optional.of(unauthorized(where, credentials, "the registry answered " + code));
        }
        if (code == 404) {
            return Optional.of(new TagListing.Failed(
                    TagListing.Problem.REPOSITORY_NOT_FOUND,
                    "repository " + where
                            + " not found (404); check spec.image.repository"
                            + (credentials.isEmpty() ? ", or give spec.image.pullSecrets if it is private" : "")));
        }
        if (code == 429) {
            String after = response.headers()
                    .firstValue("Retry-After")
                    .map(s -> " (Retry-After " + s + ")")
                    .orElse("");
            return Optional.of(new TagListing.Failed(
                    TagListing.Problem.REGISTRY_RATE_LIMITED,
                    "registry " + where
                            + " is rate limiting the operator (429)" + after + "; the check is retried later"
                            + (credentials.isEmpty()
                                    ? ", and authenticated pulls (spec.image.pullSecrets) get a higher limit"
                                    : "")));
        }
        return Optional.of(new TagListing.Failed(
                TagListing.Problem.REGISTRY_ERROR,
                "registry " + where + " answered " + code + " to the tag list; the check is retried later"));
    }

    private static TagListing.Failed unauthorized(
            String where, Optional<RegistryCredentials> credentials, String what) {
        return new TagListing.Failed(
                TagListing.Problem.REGISTRY_UNAUTHORIZED,
                "not allowed to list the tags of " + where + ": "
                        + what
                        + (credentials.isPresent()
                                ? "; check that spec.image.pullSecrets hold a user with pull access"
                                : "; for a private repository set spec.image.pullSecrets to a "
                                        + "kubernetes.io/dockerconfigjson Secret"));
    }

    private static TagListing.Failed invalid(String where, String what) {
        return new TagListing.Failed(
                TagListing.Problem.REGISTRY_INVALID_RESPONSE,
                "registry " + where + " did not answer as an OCI distribution registry: " + what
                        + "; check spec.image.repository names a registry");
    }

    static Optional<String> next(String link) {
        Matcher m = NEXT.matcher(link);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static String describe(IOException e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null || msg.isBlank() ? "" : " (" + msg + ")");
    }
}
