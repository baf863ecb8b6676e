package io.k8s4claw.bridge.runtime.hermes;

import com.launchdarkly.eventsource.ConnectStrategy;
import com.launchdarkly.eventsource.StreamException;
import com.launchdarkly.eventsource.StreamHttpErrorException;
import com.launchdarkly.eventsource.StreamIOException;
import com.launchdarkly.logging.LDLogger;
import java.io.IOException;
import java.net.URI;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Opens one run's event stream for okhttp-eventsource and keeps the OkHttp {@link Response}, so its follower can
 * close it ({@link #closeResponse()}). The library's own {@code ConnectStrategy.http} (4.3.0) only cancels the call
 * when the event source is closed: a follower that stops reading at the terminal event (before the server's end of
 * stream) left the response open, its connection allocated until the garbage collector found it (OkHttp's
 * "connection leaked", one per run). Closing a response discards the rest of its body, a read: it must happen on
 * the follower's thread, never while another thread reads the body, hence not in the event source's closer (which
 * the connector's close calls from its own thread) but after the follower stopped reading.
 */
final class RunStreamConnectStrategy extends ConnectStrategy {

    private final OkHttpClient client;
    private final HttpUrl url;
    private final String apiKey;
    private final java.util.concurrent.atomic.AtomicReference<Response> current =
            new java.util.concurrent.atomic.AtomicReference<>();

    RunStreamConnectStrategy(OkHttpClient client, HttpUrl url, String apiKey) {
        this.client = client;
        this.url = url;
        this.apiKey = apiKey;
    }

    /** Closes the last stream's response; call it on the thread that read it, once it stopped reading. */
    void closeResponse() {
        Response response = current.getAndSet(null);
        if (response != null) {
            response.close();
        }
    }

    @Override
    public Client createClient(LDLogger logger) {
        return new Client() {
            @Override
            public Result connect(String lastEventId) throws StreamException {
                Request.Builder request = new Request.Builder()
                        .url(url)
                        .header("Accept", "text/event-stream")
                        .header("Cache-Control", "no-cache")
                        .header("Authorization", "Bearer " + apiKey);
                if (lastEventId != null && !lastEventId.isEmpty()) {
                    request.header("Last-Event-ID", lastEventId);
                }
                Call call = client.newCall(request.build());
                Response response;
                try {
                    response = call.execute();
                } catch (IOException e) {
                    throw new StreamIOException(e);
                }
                if (!response.isSuccessful()) {
                    response.close();
                    throw new StreamHttpErrorException(response.code());
                }
                Response previous = current.getAndSet(response);
                if (previous != null) {
                    previous.close();
                }
                return new Result(response.body().byteStream(), url.uri(), call::cancel);
            }

            @Override
            public boolean awaitClosed(long timeoutMillis) {
                return true; // the client is the connector's, closed with it
            }

            @Override
            public URI getOrigin() {
                return url.uri();
            }

            @Override
            public void close() {
                // nothing of its own: the OkHttp client is shared by the connector's followers
            }
        };
    }
}
