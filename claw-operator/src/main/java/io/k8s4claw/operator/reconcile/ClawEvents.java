package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes Events on a Claw's or ClawChannel's transitions (phase changes, invalid spec, blocked deletion) and on
 * ClawSelfConfig decisions.
 */
public final class ClawEvents {

    private static final Logger LOG = LoggerFactory.getLogger(ClawEvents.class);
    private static final AtomicLong SEQUENCE = new AtomicLong(System.currentTimeMillis());

    private final KubernetesClient client;

    public ClawEvents(KubernetesClient client) {
        this.client = client;
    }

    public void normal(HasMetadata about, String reason, String message) {
        emit(about, "Normal", reason, message);
    }

    public void warning(HasMetadata about, String reason, String message) {
        emit(about, "Warning", reason, message);
    }

    private void emit(HasMetadata about, String type, String reason, String message) {
        String now = Instant.now().toString();
        try {
            client.resource(new EventBuilder()
                            .withNewMetadata()
                            .withName(
                                    about.getMetadata().getName() + "." + Long.toHexString(SEQUENCE.incrementAndGet()))
                            .withNamespace(about.getMetadata().getNamespace())
                            .endMetadata()
                            .withNewInvolvedObject()
                            .withApiVersion(about.getApiVersion())
                            .withKind(about.getKind())
                            .withName(about.getMetadata().getName())
                            .withNamespace(about.getMetadata().getNamespace())
                            .withUid(about.getMetadata().getUid())
                            .endInvolvedObject()
                            .withType(type)
                            .withReason(reason)
                            .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message)
                            .withFirstTimestamp(now)
                            .withLastTimestamp(now)
                            .withCount(1)
                            .withNewSource()
                            .withComponent("claw-operator")
                            .endSource()
                            .build())
                    .create();
        } catch (KubernetesClientException e) {
            // An event is a courtesy: never fail a reconcile over it.
            LOG.warn(
                    "could not record event {} on {}/{}: {}",
                    reason,
                    about.getKind(),
                    about.getMetadata().getName(),
                    e.getMessage());
        }
    }
}
