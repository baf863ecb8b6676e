package io.k8s4claw.operator.reconcile;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.k8s4claw.operator.app.ApiRequestTimer;
import java.util.List;
import java.util.function.Consumer;

/**
 * Every Secret of the watched namespaces as metadata only: name, namespace, uid and resourceVersion — never data.
 *
 * <p>Why: a change to a user Secret a Claw or its channels reference must roll that pod, so the operator has to hear
 * about changes to Secrets it does not own. Caching those Secrets whole would put every credential of every tenant
 * (and Helm's release Secrets of up to 1 MiB each) in the operator's heap. Instead the informer asks the apiserver
 * for {@code PartialObjectMetadata} (the {@code as=} media-type parameter client-go's metadata informers use): list
 * and watch carry metadata only, and the data of a referenced Secret is read at reconcile time, hashed and dropped
 * ({@link SecretHashes}). fabric8 has no metadata-only informer, so this is a plain informer of
 * {@link GenericKubernetesResource} on a client whose requests for Secret collections ask for that projection.
 *
 * <p>Defence in depth: {@link Store} keeps only the four metadata fields of whatever arrives, so a server that ignores
 * the projection (the fabric8 mock does) still leaves no data, labels or annotations (kubectl's
 * last-applied-configuration annotation holds a Secret's data) in the cache.
 */
final class SecretMetadata {

    /** The kind the apiserver answers with when it honoured the projection (what the real-cluster test checks). */
    static final String PROJECTED_KIND = "PartialObjectMetadata";

    static final String ACCEPT_LIST =
            "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
    static final String ACCEPT_WATCH = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json";

    private SecretMetadata() {}

    /**
     * A client like {@code base} (same server, credentials and TLS) whose Secret list and watch requests ask for
     * metadata only.
     */
    static KubernetesClient client(KubernetesClient base) {
        // The apiserver encodes an empty PartialObjectMetadataList as "items": null (a nil slice), which fabric8's
        // informer does not expect from a list: read a null list as empty on this client.
        ObjectMapper mapper = new ObjectMapper();
        mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY));
        return new KubernetesClientBuilder()
                .withConfig(base.getConfiguration())
                .withKubernetesSerialization(new KubernetesSerialization(mapper, true))
                .withHttpClientBuilderConsumer(
                        b -> b.addOrReplaceInterceptor("claw-secret-metadata-only", new AcceptMetadataOnly()))
                .build();
    }

    /**
     * Sets the projection on reads of a Secret collection ({@code .../secrets}, list or watch); other requests
     * untouched.
     */
    static final class AcceptMetadataOnly implements Interceptor {
        @Override
        public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
            String accept = acceptFor(
                    request.method(), request.uri().getRawPath(), request.uri().getRawQuery());
            if (accept != null) {
                builder.setHeader("Accept", accept);
            }
        }

        /** The Accept header for a request, or null to leave it alone. */
        static String acceptFor(String method, String path, String query) {
            if (!"GET".equals(method) || path == null || !path.endsWith("/secrets")) {
                return null;
            }
            return ApiRequestTimer.isWatch(query) ? ACCEPT_WATCH : ACCEPT_LIST;
        }
    }

    /** Informer store keeping only name, namespace, uid and resourceVersion (and the kind received) of each Secret. */
    static final class Store extends BasicItemStore<GenericKubernetesResource> {

        private final Consumer<String> onRemove;

        /** {@code onRemove} gets the {@code namespace/name} key of each Secret that leaves the cache. */
        Store(Consumer<String> onRemove) {
            super(Cache::metaNamespaceKeyFunc);
            this.onRemove = onRemove;
        }

        @Override
        public GenericKubernetesResource put(String key, GenericKubernetesResource object) {
            return super.put(key, slim(object));
        }

        @Override
        public GenericKubernetesResource remove(String key) {
            onRemove.accept(key);
            return super.remove(key);
        }

        static GenericKubernetesResource slim(GenericKubernetesResource object) {
            ObjectMeta meta = object.getMetadata();
            GenericKubernetesResource slim = new GenericKubernetesResource();
            slim.setApiVersion(object.getApiVersion());
            slim.setKind(object.getKind());
            slim.setMetadata(new ObjectMetaBuilder()
                    .withName(meta.getName())
                    .withNamespace(meta.getNamespace())
                    .withUid(meta.getUid())
                    .withResourceVersion(meta.getResourceVersion())
                    .build());
            return slim;
        }
    }
}
