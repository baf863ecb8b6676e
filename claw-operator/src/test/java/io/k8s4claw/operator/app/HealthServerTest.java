package io.k8s4claw.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class HealthServerTest {

    @Test
    void healthReadinessAndMetrics() throws Exception {
        OperatorMetrics metrics = new OperatorMetrics();
        metrics.reconciled("Claw", 2_000_000, false);
        metrics.reconciled("Claw", 1_000_000, true);
        metrics.phase("ns", "a", "Running");
        metrics.phase("ns", "b", "Failed");
        AtomicBoolean ready = new AtomicBoolean(false);
        try (HealthServer server =
                new HealthServer(new InetSocketAddress("127.0.0.1", 0), () -> true, ready::get, metrics)) {
            HttpClient http = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + server.port();
            assertThat(get(http, base + "/healthz").statusCode()).isEqualTo(200);
            assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(503);
            ready.set(true);
            assertThat(get(http, base + "/readyz").statusCode()).isEqualTo(200);
            String body = get(http, base + "/metrics").body();
            assertThat(body)
                    .contains(
                            "claw_operator_reconciliations_total{kind=\"Claw\"} 2.0",
                            "claw_operator_reconciliation_errors_total{kind=\"Claw\"} 1.0",
                            "claw_operator_reconciliation_duration_seconds_count{kind=\"Claw\"} 2",
                            "claw_operator_managed_claws{phase=\"Running\"} 1.0",
                            "claw_operator_managed_claws{phase=\"Failed\"} 1.0");
            // name[]= selects metrics (a counter by its _total name too); nothing else is rendered.
            String some = get(
                            http,
                            base + "/metrics?name%5B%5D=claw_operator_managed_claws"
                                    + "&name[]=claw_operator_reconciliations_total")
                    .body();
            assertThat(some)
                    .contains(
                            "claw_operator_reconciliations_total{kind=\"Claw\"} 2.0",
                            "claw_operator_managed_claws{phase=\"Running\"} 1.0")
                    .doesNotContain(
                            "claw_operator_reconciliation_errors_total",
                            "claw_operator_reconciliation_duration_seconds");
        }
    }

    static HttpResponse<String> get(HttpClient http, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
