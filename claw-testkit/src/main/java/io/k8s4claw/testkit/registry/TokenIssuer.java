package io.k8s4claw.testkit.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The token server of the Docker registry token authentication the registry peer runs with in token mode — the
 * service ghcr.io and Docker Hub put at the realm of their {@code WWW-Authenticate: Bearer} challenge. It answers
 * {@code GET /token?service=…&scope=repository:<name>:<actions>} with {@code {"token": <JWT>, "access_token": …}}: an
 * RS256 JWT whose {@code kid} names a key of the JWK set the registry trusts ({@code auth.token.jwks}), granting
 * {@code pull} on public repositories to anyone and {@code pull,push} to a known user (HTTP Basic). A wrong password
 * is a 401, as the real services answer it.
 */
public final class TokenIssuer implements AutoCloseable {

    public static final String ISSUER = "k8s4claw-test-token-issuer";

    /** One request for a token, as the test sees it. */
    public record Request(String user, String scope, List<String> granted) {}

    private final HttpServer server;
    private final KeyPair keys;
    private final String keyId = UUID.randomUUID().toString();
    private final String service;
    private final Map<String, String> users = new ConcurrentHashMap<>();
    private final Set<String> publicRepositories = ConcurrentHashMap.newKeySet();
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    public TokenIssuer(String service) {
        this.service = service;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            this.keys = generator.generateKeyPair();
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/token", this::token);
        server.start();
    }

    public String service() {
        return service;
    }

    /**
     * {@code http://localhost:<port>/token}: a host name, not the IP literal — crane (go-containerregistry v0.22.1)
     * refuses a realm at a private or loopback IP literal unless it is the registry's own host:port (SSRF guard).
     */
    public String realm() {
        return "http://localhost:" + server.getAddress().getPort() + "/token";
    }

    /** A user allowed to pull and push everything. */
    public TokenIssuer user(String name, String password) {
        users.put(name, password);
        return this;
    }

    /** A repository anyone may pull (list tags of) without credentials, as a public ghcr.io package. */
    public TokenIssuer publicRepository(String name) {
        publicRepositories.add(name);
        return this;
    }

    /** Every token request so far. */
    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Writes the JWK set the registry trusts ({@code auth.token.jwks}) and returns it. */
    public Path writeJwks(Path file) throws IOException {
        RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
        String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"" + keyId + "\",\"n\":\""
                + b64(unsigned(pub.getModulus())) + "\",\"e\":\"" + b64(unsigned(pub.getPublicExponent())) + "\"}]}";
        Files.writeString(file, jwks);
        return file;
    }

    private void token(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String user = null;
            String authorization = exchange.getRequestHeaders().getFirst("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                String decoded = new String(
                        Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                String name = colon < 0 ? decoded : decoded.substring(0, colon);
                String password = colon < 0 ? "" : decoded.substring(colon + 1);
                if (!password.equals(users.get(name))) {
                    requests.add(new Request(name, query.get("scope"), List.of()));
                    send(exchange, 401, "{\"details\":\"incorrect username or password\"}");
                    return;
                }
                user = name;
            }
            List<Map<String, Object>> access = new ArrayList<>();
            List<String> granted = new ArrayList<>();
            String scope = query.get("scope");
            if (scope != null) {
                String[] parts = scope.split(":");
                if (parts.length == 3 && parts[0].equals("repository")) {
                    List<String> actions = new ArrayList<>();
                    for (String action : parts[2].split(",")) {
                        boolean allowed =
                                user != null || (action.equals("pull") && publicRepositories.contains(parts[1]));
                        if (allowed) {
                            actions.add(action);
                        }
                    }
                    if (!actions.isEmpty()) {
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("type", "repository");
                        entry.put("name", parts[1]);
                        entry.put("actions", actions);
                        access.add(entry);
                        actions.forEach(a -> granted.add(parts[1] + ":" + a));
                    }
                }
            }
            requests.add(new Request(user, scope, granted));
            String jwt = jwt(user == null ? "" : user, access);
            send(
                    exchange,
                    200,
                    "{\"token\":\"" + jwt + "\",\"access_token\":\"" + jwt + "\",\"expires_in\":300,\"issued_at\":\""
                            + Instant.now() + "\"}");
        } catch (RuntimeException e) {
            send(exchange, 500, "{\"details\":\"" + e.getClass().getSimpleName() + "\"}");
        }
    }

    private String jwt(String subject, List<Map<String, Object>> access) {
        long now = Instant.now().getEpochSecond();
        StringBuilder accessJson = new StringBuilder("[");
        for (Map<String, Object> a : access) {
            if (accessJson.length() > 1) {
                accessJson.append(',');
            }
            @SuppressWarnings("unchecked")
            List<String> actions = (List<String>) a.get("actions");
            accessJson
                    .append("{\"type\":\"repository\",\"name\":\"")
                    .append(a.get("name"))
                    .append("\",\"actions\":[")
                    .append(String.join(
                            ",", actions.stream().map(x -> "\"" + x + "\"").toList()))
                    .append("]}");
        }
        accessJson.append(']');
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"" + keyId + "\"}";
        String claims = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"aud\":\"" + service + "\",\"exp\":"
                + (now + 300) + ",\"nbf\":" + (now - 10) + ",\"iat\":" + now + ",\"jti\":\"" + UUID.randomUUID()
                + "\",\"access\":" + accessJson + "}";
        String signingInput =
                b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(claims.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rs256 = Signature.getInstance("SHA256withRSA");
            rs256.initSign(keys.getPrivate());
            rs256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(rs256.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(k, v);
        }
        return out;
    }

    private static void send(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
