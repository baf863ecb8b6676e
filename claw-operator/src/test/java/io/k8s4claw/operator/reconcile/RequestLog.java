package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The mock API server's request log, filtered to the operator's writes (by its User-Agent). */
public final class RequestLog {

    public static final String OPERATOR_AGENT = "claw-operator-under-test";
    private static final Set<String> WRITES = Set.of("POST", "PUT", "PATCH", "DELETE");

    private final KubernetesMockServer server;
    private final List<RecordedRequest> seen = new ArrayList<>();

    public RequestLog(KubernetesMockServer server) {
        this.server = server;
    }

    /** Everything recorded so far (drains the server's queue into this log). */
    synchronized List<RecordedRequest> all() {
        try {
            RecordedRequest r;
            while ((r = server.takeRequest(1, TimeUnit.MILLISECONDS)) != null) {
                seen.add(r);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return List.copyOf(seen);
    }

    /** Forget what was recorded so far: later calls see only newer requests. */
    public synchronized void mark() {
        all();
        seen.clear();
    }

    /** The operator's writes since the last {@link #mark()}, as "METHOD path". */
    public List<String> operatorWrites() {
        return all().stream()
                .filter(r -> WRITES.contains(r.getMethod()))
                .filter(r -> r.getHeader("User-Agent") != null
                        && r.getHeader("User-Agent").contains(OPERATOR_AGENT))
                .map(r -> r.getMethod() + " " + r.getPath())
                .toList();
    }

    public long operatorRequests() {
        return all().stream()
                .filter(r -> r.getHeader("User-Agent") != null
                        && r.getHeader("User-Agent").contains(OPERATOR_AGENT))
                .count();
    }
}
