package io.k8s4claw.bridge.runtime.hermes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.k8s4claw.bridge.runtime.RuntimeHealth;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An {@code https} Hermes: the connector's client sets up TLS with the JDK's trust store (here pointed at the test
 * certificate through {@code javax.net.ssl.trustStore}) and verifies the host name. The peer is the JDK's
 * {@link HttpsServer} on 127.0.0.1 answering the health endpoints, with a certificate made by the JDK's
 * {@code keytool} for one IP address: 127.0.0.1 (accepted) or 127.0.0.2 (refused by the host name check).
 */
class HermesSseTlsTest {

    static final String KEY = "3f1c0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

    @TempDir
    Path dir;

    HttpsServer server;
    HermesSseConnector connector;
    String trustStoreBefore;
    String trustStorePasswordBefore;

    /** Starts the peer with a certificate whose only name is the IP address {@code san}. */
    void startHttpsHermes(String san) throws Exception {
        Path keyStore = dir.resolve("hermes.p12");
        Process keytool = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "keytool")
                                .toString(),
                        "-genkeypair",
                        "-alias",
                        "hermes",
                        "-keyalg",
                        "EC",
                        "-dname",
                        "CN=" + san,
                        "-ext",
                        "san=ip:" + san,
                        "-validity",
                        "2",
                        "-storetype",
                        "PKCS12",
                        "-keystore",
                        keyStore.toString(),
                        "-storepass",
                        "changeit")
                .redirectErrorStream(true)
                .start();
        String out = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(out).isZero();

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        server.createContext("/health", ex -> {
            byte[] body = (ex.getRequestURI().getPath().equals("/health/detailed")
                            ? "{\"status\": \"ok\", \"gateway_state\": \"running\"}"
                            : "{\"status\": \"ok\"}")
                    .getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();

        trustStoreBefore = System.getProperty("javax.net.ssl.trustStore");
        trustStorePasswordBefore = System.getProperty("javax.net.ssl.trustStorePassword");
        System.setProperty("javax.net.ssl.trustStore", keyStore.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    }

    @AfterEach
    void stop() {
        if (connector != null) {
            connector.close();
        }
        if (server != null) {
            server.stop(0);
        }
        restore("javax.net.ssl.trustStore", trustStoreBefore);
        restore("javax.net.ssl.trustStorePassword", trustStorePasswordBefore);
    }

    private static void restore(String property, String value) {
        if (value == null) {
            System.clearProperty(property);
        } else {
            System.setProperty(property, value);
        }
    }

    private HermesSseConnector connector() {
        var settings = HermesSseSettings.of(
                        URI.create("https://127.0.0.1:" + server.getAddress().getPort()), KEY)
                .withHealthInterval(Duration.ofMillis(100))
                .withRequestTimeout(Duration.ofSeconds(5));
        connector = new HermesSseConnector(settings);
        connector.start(null);
        return connector;
    }

    @Test
    void anHttpsHermesIsReachedThroughTheJdkTrustStore() throws Exception {
        startHttpsHermes("127.0.0.1");
        var c = connector();
        await().atMost(Duration.ofSeconds(15)).until(() -> c.health().isUp());
        assertThat(c.health().detail()).contains("status=ok");
    }

    @Test
    void aCertificateForAnotherAddressIsRefused() throws Exception {
        // the same peer and trust store, but the certificate names 127.0.0.2: the host name check fails the handshake
        startHttpsHermes("127.0.0.2");
        var c = connector();
        Thread.sleep(1500); // about 15 probes
        assertThat(c.health().state()).isEqualTo(RuntimeHealth.State.STARTING);
        assertThat(c.health().detail()).contains("not reachable");
    }
}
