package io.k8s4claw.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which requests {@link SecretMetadata} projects, and what its informer store keeps of what arrives. */
class SecretMetadataTest {

    @Test
    void onlyReadsOfSecretCollectionsAskForMetadata() {
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor("GET", "/api/v1/secrets", "limit=500"))
                .isEqualTo(SecretMetadata.ACCEPT_LIST);
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor("GET", "/api/v1/namespaces/a/secrets", null))
                .isEqualTo(SecretMetadata.ACCEPT_LIST);
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor(
                        "GET", "/api/v1/secrets", "allowWatchBookmarks=true&watch=true"))
                .isEqualTo(SecretMetadata.ACCEPT_WATCH);
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor("GET", "/api/v1/secrets", "watch=1"))
                .isEqualTo(SecretMetadata.ACCEPT_WATCH);
        // A parameter that only ends in "watch=true" is no watch.
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor("GET", "/api/v1/secrets", "xwatch=true&limit=5"))
                .isEqualTo(SecretMetadata.ACCEPT_LIST);
        // A single Secret, a write, and other kinds are left alone.
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor("GET", "/api/v1/namespaces/a/secrets/keys", null))
                .isNull();
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor("POST", "/api/v1/namespaces/a/secrets", null))
                .isNull();
        assertThat(SecretMetadata.AcceptMetadataOnly.acceptFor("GET", "/api/v1/namespaces/a/configmaps", null))
                .isNull();
    }

    @Test
    void theStoreKeepsNoDataLabelsOrAnnotationsEvenFromAServerThatIgnoresTheProjection() {
        List<String> removed = new ArrayList<>();
        SecretMetadata.Store store = new SecretMetadata.Store(removed::add);
        GenericKubernetesResource whole = new GenericKubernetesResource();
        whole.setApiVersion("v1");
        whole.setKind("Secret");
        whole.setMetadata(new ObjectMetaBuilder()
                .withName("keys")
                .withNamespace("a")
                .withUid("u-1")
                .withResourceVersion("7")
                .addToLabels("owner", "helm")
                .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{\"data\":{}}")
                .build());
        whole.setAdditionalProperties(Map.of("data", Map.of("TOKEN", "c2VjcmV0"), "type", "Opaque"));

        store.put("a/keys", whole);
        GenericKubernetesResource kept = store.get("a/keys");
        assertThat(kept.getAdditionalProperties()).isEmpty();
        assertThat(kept.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(kept.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(kept.getMetadata().getResourceVersion()).isEqualTo("7");
        assertThat(kept.getMetadata().getUid()).isEqualTo("u-1");

        store.remove("a/keys");
        assertThat(removed).containsExactly("a/keys");
        assertThat(store.size()).isZero();
    }
}
