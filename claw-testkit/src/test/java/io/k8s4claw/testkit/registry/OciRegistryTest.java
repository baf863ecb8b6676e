package io.k8s4claw.testkit.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry peer itself: built, started, images pushed with crane, and its token-auth mode answering as ghcr.io
 * does.
 */
class OciRegistryTest {

    static RegistryInstaller.Binaries binaries;

    @BeforeAll
    static void build() {
        binaries = RegistryInstaller.ensureBuilt();
    }

    @Test
    void anOpenRegistryTakesImagesFromCraneAndListsTheirTags(@TempDir Path dir) throws Exception {
        try (OciRegistry registry = OciRegistry.start(binaries, dir)) {
            registry.push("openclaw/openclaw", "2026.9.6", "2026.9.6", "latest");
            registry.push("openclaw/openclaw", "2026.9.7", "2026.9.7");
            assertThat(registry.tags("openclaw/openclaw")).containsExactlyInAnyOrder("2026.9.6", "2026.9.7", "latest");
            HttpResponse<String> list = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/openclaw/openclaw/tags/list"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("\"name\":\"openclaw/openclaw\"").contains("2026.9.7");
        }
    }

    @Test
    void inTokenModeTheRegistryChallengesAndTrustsOnlyTheIssuersTokens(@TempDir Path dir) throws Exception {
        try (TokenIssuer tokens = new TokenIssuer("k8s4claw-test-registry")
                        .user("pusher", "s3cret")
                        .publicRepository("public/agent");
                OciRegistry registry = OciRegistry.startWithTokenAuth(binaries, dir, tokens, "pusher", "s3cret")) {
            registry.push("public/agent", "v1", "v1.0.0");
            registry.push("private/agent", "v1", "v1.0.0");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> anonymous = http.send(
                    HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/public/agent/tags/list"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate").orElseThrow())
                    .startsWith("Bearer realm=\"" + tokens.realm() + "\"")
                    .contains("service=\"k8s4claw-test-registry\"")
                    .contains("scope=\"repository:public/agent:pull\"");
            // crane authenticated as the user went through the issuer for its pushes
            assertThat(tokens.requests())
                    .anyMatch(r -> "pusher".equals(r.user()) && r.granted().contains("private/agent:push"));
            // a token the registry does not trust (signed by another issuer's key) is refused
            try (TokenIssuer stranger = new TokenIssuer("k8s4claw-test-registry").publicRepository("public/agent")) {
                String token = http.send(
                                HttpRequest.newBuilder(URI.create(stranger.realm()
                                                + "?service=k8s4claw-test-registry&scope=repository:public/agent:pull"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body()
                        .replaceAll(".*\"token\":\"([^\"]+)\".*", "$1");
                int code = http.send(
                                HttpRequest.newBuilder(URI.create(registry.baseUrl() + "/v2/public/agent/tags/list"))
                                        .header("Authorization", "Bearer " + token)
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode();
                assertThat(code).isEqualTo(401);
            }
            // a wrong password gets no token at all
            HttpResponse<String> wrong = http.send(
                    HttpRequest.newBuilder(
                                    URI.create(tokens.realm() + "?service=x&scope=repository:private/agent:pull"))
                            .header(
                                    "Authorization",
                                    "Basic " + Base64.getEncoder().encodeToString("pusher:nope".getBytes()))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void aRegistryThatCannotStartSaysWhere(@TempDir Path dir) {
        RegistryInstaller.Binaries broken = new RegistryInstaller.Binaries(Path.of("/bin/false"), binaries.crane());
        assertThatThrownBy(() -> OciRegistry.start(broken, dir)).hasMessageContaining("registry.log");
    }
}
