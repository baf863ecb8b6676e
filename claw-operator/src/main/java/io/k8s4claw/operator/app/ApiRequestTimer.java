package io.k8s4claw.operator.app;

import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Times each request of the operator's Kubernetes client, from sending to the response's status line, into
 * {@code claw_operator_api_request_duration_seconds{verb, code}} (a refused connection or a timeout counts as code
 * {@code error}). Watches are left out: their response stays open for minutes by design, so their time says nothing
 * about the API server's latency.
 *
 * <p>Why a header: fabric8 hands an interceptor's {@code before} the request being built and its {@code after} the
 * request that was sent, which are two objects with different ids, so nothing in memory can pair them. The send time
 * travels with the request instead, in {@value #SENT_HEADER} (the API server ignores headers it does not know; they are
 * not in its audit log), and no state is kept per request.
 */
public final class ApiRequestTimer implements Interceptor {

    static final String NAME = "claw-api-request-timer";
    static final String SENT_HEADER = "X-Claw-Sent-Nanos";

    /** What a timed request reports. */
    interface Observer {
        void observe(String verb, String code, long nanos);
    }

    private final Observer observer;

    ApiRequestTimer(Observer observer) {
        this.observer = observer;
    }

    @Override
    public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (!isWatch(request)) {
            builder.setHeader(SENT_HEADER, Long.toString(System.nanoTime()));
        }
    }

    @Override
    public void after(HttpRequest request, HttpResponse<?> response, AsyncBody.Consumer<List<ByteBuffer>> consumer) {
        record(request, Integer.toString(response.code()));
    }

    @Override
    public void afterConnectionFailure(HttpRequest request, Throwable failure) {
        record(request, "error");
    }

    private void record(HttpRequest request, String code) {
        String sent = request.header(SENT_HEADER);
        if (sent == null) {
            return;
        }
        long nanos;
        try {
            nanos = System.nanoTime() - Long.parseLong(sent);
        } catch (NumberFormatException e) {
            return;
        }
        observer.observe(request.method(), code, nanos);
    }

    static boolean isWatch(HttpRequest request) {
        return isWatch(request.uri().getRawQuery());
    }

    /** Whether a request's raw query asks for a watch ({@code watch=true} or {@code watch=1} as a parameter). */
    public static boolean isWatch(String rawQuery) {
        if (rawQuery == null) {
            return false;
        }
        for (String parameter : rawQuery.split("&")) {
            if (parameter.equals("watch=true") || parameter.equals("watch=1")) {
                return true;
            }
        }
        return false;
    }
}
