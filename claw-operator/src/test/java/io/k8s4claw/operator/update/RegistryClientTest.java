package io.k8s4claw.operator.update;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.k8s4claw.testkit.process.PeerProcesses;
import io.k8s4claw.testkit.registry.OciRegistry;
import io.k8s4claw.testkit.registry.RegistryInstaller;
import io.k8s4claw.testkit.registry.TokenIssuer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tag listing against the real CNCF distribution registry (testkit {@link OciRegistry}) in token-auth mode — the flow
 * ghcr.io and Docker Hub use — and, for the answers a healthy registry never gives (429, HTML, broken JSON), a
 * loopback server that gives exactly those.
 */
class RegistryClientTest {

    @TempDir
    static Path dir;

    static TokenIssuer tokens;
    static OciRegistry registry;
    static final RegistryClient CLIENT = RegistryClient.create();

    @BeforeAll
    static void start() {
        tokens = new TokenIssuer("k8s4claw-test-registry")
                .user("ci-bot", "pull-and-push")
                .publicRepository("openclaw/openclaw");
        registry =
                OciRegistry.startWithTokenAuth(RegistryInstaller.ensureBuilt(), dir, tokens, "ci-bot", "pull-and-push");
        registry.push("openclaw/openclaw", "a", "2026.9.6", "latest", "main");
        registry.push("openclaw/openclaw", "b", "2026.9.9", "2026.9.10-beta.1");
        registry.push("private/agent", "c", "v0.8.1", "v0.8.2");
    }

    @AfterAll
    static void stop() {
        registry.close();
        tokens.close();
    }

    @Test
    void aPublicRepositoryIsListedAnonymouslyThroughTheBearerTokenFlow() {
        int before = tokens.requests().size();
        TagListing listing =
                CLIENT.listTags(ImageReference.parse(registry.host() + "/openclaw/openclaw"), Optional.empty());
        assertThat(listing)
                .isInstanceOfSatisfying(
                        TagListing.Tags.class,
                        t -> assertThat(t.tags())
                                .containsExactlyInAnyOrder(
                                        "2026.9.6", "latest", "main", "2026.9.9", "2026.9.10-beta.1"));
        assertThat(tokens.requests().subList(before, tokens.requests().size()))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.user()).isNull();
                    assertThat(r.scope()).isEqualTo("repository:openclaw/openclaw:pull");
                });
    }

    @Test
    void pagesAreFollowedThroughTheLinkHeader() {
        RegistryClient paging = new RegistryClient(HttpClient.newHttpClient(), Duration.ofSeconds(10), 2);
        TagListing listing =
                paging.listTags(ImageReference.parse(registry.host() + "/openclaw/openclaw"), Optional.empty());
        assertThat(listing)
                .isInstanceOfSatisfying(
                        TagListing.Tags.class,
                        t -> assertThat(t.tags()).hasSize(5).doesNotHaveDuplicates());
    }

    @Test
    void aPrivateRepositoryNeedsThePullSecretsCredentials() {
        ImageReference image = ImageReference.parse(registry.host() + "/private/agent");
        TagListing anonymous = CLIENT.listTags(image, Optional.empty());
        assertThat(anonymous).isInstanceOfSatisfying(TagListing.Failed.class, f -> {
            assertThat(f.problem()).isEqualTo(TagListing.Problem.REGISTRY_UNAUTHORIZED);
            assertThat(f.message()).contains("spec.image.pullSecrets");
        });
        String config = "{\"auths\":{\"" + registry.host() + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString("ci-bot:pull-and-push".getBytes(StandardCharsets.UTF_8)) + "\"}}}";
        Optional<RegistryCredentials> credentials =
                RegistryCredentials.find(List.of(config.getBytes(StandardCharsets.UTF_8)), image);
        assertThat(credentials).isPresent();
        assertThat(credentials.get().toString()).doesNotContain("pull-and-push");
        assertThat(CLIENT.listTags(image, credentials))
                .isInstanceOfSatisfying(
                        TagListing.Tags.class, t -> assertThat(t.tags()).containsExactlyInAnyOrder("v0.8.1", "v0.8.2"));
        TagListing wrong = CLIENT.listTags(image, Optional.of(new RegistryCredentials("ci-bot", "wrong")));
        assertThat(wrong).isInstanceOfSatisfying(TagListing.Failed.class, f -> {
            assertThat(f.problem()).isEqualTo(TagListing.Problem.REGISTRY_UNAUTHORIZED);
            assertThat(f.message()).doesNotContain("wrong");
        });
    }

    @Test
    void aMissingRepositoryIsNotFound() {
        TagListing listing = CLIENT.listTags(
                ImageReference.parse(registry.host() + "/openclaw/nope"),
                Optional.of(new RegistryCredentials("ci-bot", "pull-and-push")));
        assertThat(listing)
                .isInstanceOfSatisfying(
                        TagListing.Failed.class,
                        f -> assertThat(f.problem()).isEqualTo(TagListing.Problem.REPOSITORY_NOT_FOUND));
    }

    @Test
    void aRegistryNobodyListensOnIsUnreachable() {
        int port = PeerProcesses.freeLoopbackPort();
        TagListing listing = CLIENT.listTags(ImageReference.parse("127.0.0.1:" + port + "/a/b"), Optional.empty());
        assertThat(listing).isInstanceOfSatisfying(TagListing.Failed.class, f -> {
            assertThat(f.problem()).isEqualTo(TagListing.Problem.REGISTRY_UNREACHABLE);
            assertThat(f.message()).contains("cannot reach registry 127.0.0.1:" + port);
        });
    }

    @Test
    void rateLimitsAndGarbageAreReportedAsSuchAndASmallerPageLimitIsRespected() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v2/limited/x/tags/list", ex -> {
            ex.getResponseHeaders().set("Retry-After", "60");
            ex.sendResponseHeaders(429, -1);
            ex.close();
        });
        server.createContext("/v2/html/x/tags/list", ex -> reply(ex, 200, "<html>captive portal</html>"));
        server.createContext("/v2/notags/x/tags/list", ex -> reply(ex, 200, "{\"name\":\"notags/x\"}"));
        server.createContext("/v2/broken/x/tags/list", ex -> reply(ex, 500, "oops"));
        server.createContext("/v2/small-pages/x/tags/list", ex -> {
            boolean asksTooMany = ex.getRequestURI().getQuery() != null
                    && ex.getRequestURI().getQuery().contains("n=");
            reply(
                    ex,
                    asksTooMany ? 400 : 200,
                    asksTooMany
                            ? "{\"errors\":[{\"code\":\"PAGINATION_NUMBER_INVALID\"}]}"
                            : "{\"name\":\"small-pages/x\",\"tags\":[\"v1.0.0\"]}");
        });
        server.start();
        try {
            String host = "127.0.0.1:" + server.getAddress().getPort();
            assertThat(problem(host + "/limited/x")).isEqualTo(TagListing.Problem.REGISTRY_RATE_LIMITED);
            assertThat(problem(host + "/html/x")).isEqualTo(TagListing.Problem.REGISTRY_INVALID_RESPONSE);
            assertThat(problem(host + "/notags/x")).isEqualTo(TagListing.Problem.REGISTRY_INVALID_RESPONSE);
            assertThat(problem(host + "/broken/x")).isEqualTo(TagListing.Problem.REGISTRY_ERROR);
            assertThat(CLIENT.listTags(ImageReference.parse(host + "/small-pages/x"), Optional.empty()))
                    .isEqualTo(new TagListing.Tags(List.of("v1.0.0")));
        } finally {
            server.stop(0);
        }
    }

    @Test
    void imageReferencesNameTheirRegistryLikeDockerDoes() {
        assertThat(ImageReference.parse("nousresearch/hermes-agent"))
                .isEqualTo(new ImageReference(
                        "registry-1.docker.io", "nousresearch/hermes-agent", "https://index.docker.io/v1/"));
        assertThat(ImageReference.parse("ubuntu").repository()).isEqualTo("library/ubuntu");
        assertThat(ImageReference.parse("ghcr.io/openclaw/openclaw").baseUrl()).isEqualTo("https://ghcr.io");
        assertThat(ImageReference.parse("localhost:5000/a").baseUrl()).isEqualTo("http://localhost:5000");
        assertThat(RegistryClient.next("</v2/a/tags/list?last=x&n=2>; rel=\"next\""))
                .contains("/v2/a/tags/list?last=x&n=2");
    }

    private static TagListing.Problem problem(String repository) {
        TagListing listing = CLIENT.listTags(ImageReference.parse(repository), Optional.empty());
        assertThat(listing).isInstanceOf(TagListing.Failed.class);
        return ((TagListing.Failed) listing).problem();
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
