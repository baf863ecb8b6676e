package io.k8s4claw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.realcluster.RealCluster;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Secret informer's projection, checked against the real kube-apiserver with the operator's own ServiceAccount:
 * list and watch (the two requests a fabric8 informer makes) through {@link SecretMetadata#client} carry
 * {@code PartialObjectMetadata} — no data, no type, no annotations holding a copy of the data — while the same calls
 * through the plain client carry whole Secrets (so the check can fail). And {@link SecretHashes} reads a Secret's data
 * once per version.
 */
class SecretMetadataOnRealApiServerTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    RealCluster real;
    KubernetesClient operatorClient;
    KubernetesClient metadataClient;
    String ns;

    @BeforeEach
    void setUp() {
        real = RealCluster.shared();
        operatorClient = real.operatorClient();
        metadataClient = SecretMetadata.client(operatorClient);
        ns = real.newNamespace("secret-meta");
    }

    @AfterEach
    void tearDown() {
        metadataClient.close();
    }

    private Secret secret(String name, String value) {
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(ns)
                .addToLabels("team", "a")
                // what kubectl apply leaves on a Secret: a second copy of its data
                .addToAnnotations(
                        "kubectl.kubernetes.io/last-applied-configuration",
                        "{\"stringData\":{\"TOKEN\":\"" + value + "\"}}")
                .endMetadata()
                .addToStringData("TOKEN", value)
                .build();
    }

    @Test
    void listAndWatchCarryMetadataOnly() {
        // An empty namespace first: the apiserver answers an empty projected list with "items": null.
        assertThat(metadataClient
                        .genericKubernetesResources("v1", "Secret")
                        .inNamespace(ns)
                        .list()
                        .getItems())
                .isEmpty();
        real.adminClient().resource(secret("big", "x".repeat(100 * 1024))).create();

        List<GenericKubernetesResource> listed = metadataClient
                .genericKubernetesResources("v1", "Secret")
                .inNamespace(ns)
                .list()
                .getItems();
        assertThat(listed).extracting(s -> s.getMetadata().getName()).contains("big");
        assertThat(listed).allSatisfy(SecretMetadataOnRealApiServerTest::metadataOnly);
        // Control: the plain client's list of the same Secret carries its data.
        GenericKubernetesResource whole = operatorClient
                .genericKubernetesResources("v1", "Secret")
                .inNamespace(ns)
                .withName("big")
                .get();
        assertThat(whole.getKind()).isEqualTo("Secret");
        assertThat(whole.getAdditionalProperties()).containsKey("data");

        List<GenericKubernetesResource> seen = new CopyOnWriteArrayList<>();
        SharedIndexInformer<GenericKubernetesResource> informer = metadataClient
                .genericKubernetesResources("v1", "Secret")
                .inNamespace(ns)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(GenericKubernetesResource obj) {
                        seen.add(obj);
                    }

                    @Override
                    public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
                        seen.add(newObj);
                    }

                    @Override
                    public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
                        seen.add(obj);
                    }
                });
        try {
            await().atMost(TIMEOUT)
                    .until(() -> seen.stream()
                            .anyMatch(s -> s.getMetadata().getName().equals("big")));
            real.adminClient().resource(secret("later", "y".repeat(1024))).create();
            real.adminClient().secrets().inNamespace(ns).withName("big").edit(s -> {
                s.setStringData(Map.of("TOKEN", "rotated"));
                return s;
            });
            await().atMost(TIMEOUT)
                    .until(() -> seen.stream()
                                            .filter(s ->
                                                    s.getMetadata().getName().equals("big"))
                                            .count()
                                    >= 2
                            && seen.stream()
                                    .anyMatch(s -> s.getMetadata().getName().equals("later")));
            // Events from the watch, not only the initial list, are projected.
            assertThat(seen).allSatisfy(SecretMetadataOnRealApiServerTest::metadataOnly);
        } finally {
            informer.close();
        }
    }

    private static void metadataOnly(GenericKubernetesResource secret) {
        assertThat(secret.getKind()).isEqualTo(SecretMetadata.PROJECTED_KIND);
        assertThat(secret.getAdditionalProperties()).doesNotContainKeys("data", "stringData", "type");
        assertThat(secret.getMetadata().getResourceVersion()).isNotBlank();
        // The apiserver keeps labels and annotations in the projection; the operator's store drops them.
        GenericKubernetesResource stored = SecretMetadata.Store.slim(secret);
        assertThat(stored.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(stored.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(stored.getMetadata().getName())
                .isEqualTo(secret.getMetadata().getName());
        assertThat(stored.getMetadata().getUid()).isEqualTo(secret.getMetadata().getUid());
    }

    @Test
    void aSecretsDataIsReadOncePerVersion() {
        real.adminClient().resource(secret("keys", "one")).create();
        OperatorMetrics metrics = new OperatorMetrics();
        SecretHashes hashes = new SecretHashes(metrics);
        GenericKubernetesResource v1 = metadataClient
                .genericKubernetesResources("v1", "Secret")
                .inNamespace(ns)
                .withName("keys")
                .get();

        String first = hashes.hash(operatorClient, ns, "keys", Optional.of(v1)).orElseThrow();
        assertThat(hashes.hash(operatorClient, ns, "keys", Optional.of(v1))).contains(first);
        assertThat(reads(metrics)).isEqualTo(1);

        real.adminClient().secrets().inNamespace(ns).withName("keys").edit(s -> {
            s.setStringData(Map.of("TOKEN", "two"));
            return s;
        });
        GenericKubernetesResource v2 = metadataClient
                .genericKubernetesResources("v1", "Secret")
                .inNamespace(ns)
                .withName("keys")
                .get();
        String second = hashes.hash(operatorClient, ns, "keys", Optional.of(v2)).orElseThrow();
        assertThat(second).isNotEqualTo(first);
        assertThat(reads(metrics)).isEqualTo(2);
        assertThat(hashes.size()).isEqualTo(1);

        // Gone from the informer: missing, and forgotten.
        assertThat(hashes.hash(operatorClient, ns, "keys", Optional.empty())).isEmpty();
        assertThat(hashes.size()).isZero();
        // Deleted behind a stale cache entry: the read finds nothing and says missing.
        real.adminClient().secrets().inNamespace(ns).withName("keys").delete();
        await().atMost(TIMEOUT)
                .until(() -> real.adminClient()
                                .secrets()
                                .inNamespace(ns)
                                .withName("keys")
                                .get()
                        == null);
        assertThat(hashes.hash(operatorClient, ns, "keys", Optional.of(v2))).isEmpty();
    }

    private static double reads(OperatorMetrics metrics) {
        return metrics.registry().scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("claw_operator_secret_reads"))
                .flatMap(m -> m.getDataPoints().stream())
                .mapToDouble(d -> ((CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .sum();
    }
}
