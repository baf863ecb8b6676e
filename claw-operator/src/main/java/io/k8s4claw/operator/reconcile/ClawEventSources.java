package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.GroupVersionKind;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.operator.desired.ClawLabels;
import io.k8s4claw.operator.desired.ReferencedSecrets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The informers of the Claw controller: one per child kind (filtered by the operator's label, mapped back to
 * the Claw by its instance label), the metadata of every Secret (a change to a user Secret a Claw or its channels
 * read rolls that pod; {@link SecretMetadata}) and ClawChannels. Reconciles read children from these caches, never
 * from the API; the only Secret data the operator caches is that of the Secrets it owns.
 */
final class ClawEventSources {

    static final String BY_CHANNEL = "byChannel";
    /** The Secrets a Claw's own credentials read (its channels' are found through {@link #BY_CHANNEL}). */
    static final String BY_SECRET = "bySecret";

    final InformerEventSource<StatefulSet, Claw> statefulSets;
    final InformerEventSource<Service, Claw> services;
    final InformerEventSource<ConfigMap, Claw> configMaps;
    /** The Secrets the operator writes (rendered config, generated keys): whole, filtered by our label. */
    final InformerEventSource<Secret, Claw> secrets;
    /** Every Secret of the watched namespaces, metadata only: what tells a referenced user Secret changed. */
    final InformerEventSource<GenericKubernetesResource, Claw> secretMetadata;

    final SecretHashes secretHashes;
    final InformerEventSource<ServiceAccount, Claw> serviceAccounts;
    final InformerEventSource<NetworkPolicy, Claw> networkPolicies;
    final InformerEventSource<Ingress, Claw> ingresses;
    final InformerEventSource<PodDisruptionBudget, Claw> pdbs;
    final InformerEventSource<PersistentVolumeClaim, Claw> claims;
    final InformerEventSource<Pod, Claw> pods;
    final InformerEventSource<ClawChannel, Claw> channels;

    private static final GroupVersionKind SECRET = new GroupVersionKind("", "v1", "Secret");

    /**
     * {@code metadataClient}: the client of {@link SecretMetadata#client}, for the metadata-only Secret informer;
     * {@code secretHashes}: told when a Secret leaves that informer's cache.
     */
    ClawEventSources(EventSourceContext<Claw> context, KubernetesClient metadataClient, SecretHashes secretHashes) {
        IndexerResourceCache<Claw> primaries = context.getPrimaryCache();
        primaries.addIndexers(Map.of(
                BY_CHANNEL,
                claw -> claw.getSpec() == null || claw.getSpec().getChannels() == null
                        ? List.of()
                        : claw.getSpec().getChannels().stream()
                                .map(ChannelRef::getName)
                                .map(n -> claw.getMetadata().getNamespace() + "/" + n)
                                .toList(),
                BY_SECRET,
                claw -> claw.getSpec() == null
                        ? List.of()
                        : ReferencedSecrets.of(claw, List.of()).stream()
                                .map(n -> claw.getMetadata().getNamespace() + "/" + n)
                                .toList()));
        String owned = ClawApi.LABEL_MANAGED_BY + "=" + ClawLabels.MANAGED_BY_VALUE;
        statefulSets = owned(context, StatefulSet.class, owned, ChildSignals::statefulSetChanged);
        services = owned(context, Service.class, owned);
        configMaps = owned(context, ConfigMap.class, owned);
        serviceAccounts = owned(context, ServiceAccount.class, owned);
        networkPolicies = owned(context, NetworkPolicy.class, owned);
        ingresses = owned(context, Ingress.class, owned);
        pdbs = owned(context, PodDisruptionBudget.class, owned);
        claims = owned(
                context,
                PersistentVolumeClaim.class,
                ClawApi.LABEL_NAME + "=" + ClawApi.LABEL_NAME_VALUE,
                ChildSignals::claimChanged);
        // The Claw's pod, read (never written) for per-container readiness: runtime, bridge, each channel sidecar.
        pods = owned(context, Pod.class, ClawApi.LABEL_NAME + "=" + ClawApi.LABEL_NAME_VALUE, ChildSignals::podChanged);
        channels = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ClawChannel.class, Claw.class)
                        .withName("clawchannels")
                        .withItemStore(new SlimStore<>())
                        .withSecondaryToPrimaryMapper(channel -> primaries
                                .byIndex(
                                        BY_CHANNEL,
                                        channel.getMetadata().getNamespace() + "/"
                                                + channel.getMetadata().getName())
                                .stream()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .build(),
                context);
        secrets = owned(context, Secret.class, owned);
        this.secretHashes = secretHashes;
        secretMetadata = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(SECRET, Claw.class)
                        .withName("secret-metadata")
                        .withKubernetesClient(metadataClient)
                        .withItemStore(new SecretMetadata.Store(secretHashes::forget))
                        .withSecondaryToPrimaryMapper(secret -> secretToClaws(secret, primaries))
                        .build(),
                context);
    }

    /**
     * The Claws whose pod reads this Secret: by index, not by walking every Claw of the namespace (a thousand Claws
     * each creating its generated Secret made that walk quadratic).
     */
    private Set<ResourceID> secretToClaws(HasMetadata secret, IndexerResourceCache<Claw> primaries) {
        // A Secret the operator wrote (its label) reaches its Claw through the whole-Secret informer, which also knows
        // the operator's own writes and drops their echo; mapping it here too made every generated Secret's creation
        // a second, empty reconcile of its Claw.
        Set<ResourceID> out = new HashSet<>(writtenByUs(secret) ? Set.of() : byInstanceLabel(secret));
        String namespace = secret.getMetadata().getNamespace();
        String key = namespace + "/" + secret.getMetadata().getName();
        primaries.byIndex(BY_SECRET, key).forEach(claw -> out.add(ResourceID.fromResource(claw)));
        channels.list(
                        namespace,
                        channel -> ReferencedSecrets.ofChannel(channel)
                                .contains(secret.getMetadata().getName()))
                .forEach(channel -> primaries
                        .byIndex(
                                BY_CHANNEL,
                                namespace + "/" + channel.getMetadata().getName())
                        .forEach(claw -> out.add(ResourceID.fromResource(claw))));
        return out;
    }

    private static boolean writtenByUs(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && ClawLabels.MANAGED_BY_VALUE.equals(labels.get(ClawApi.LABEL_MANAGED_BY));
    }

    private static Set<ResourceID> byInstanceLabel(HasMetadata object) {
        Map<String, String> labels = object.getMetadata().getLabels();
        String instance = labels == null ? null : labels.get(ClawApi.LABEL_CLAW_INSTANCE);
        return instance == null
                ? Set.of()
                : Set.of(new ResourceID(instance, object.getMetadata().getNamespace()));
    }

    private static <R extends HasMetadata> InformerEventSource<R, Claw> owned(
            EventSourceContext<Claw> context, Class<R> type, String selector) {
        return owned(context, type, selector, (now, before) -> true);
    }

    /** {@code changed}: whether an update can matter to the Claw's reconcile ({@link ChildSignals}). */
    private static <R extends HasMetadata> InformerEventSource<R, Claw> owned(
            EventSourceContext<Claw> context, Class<R> type, String selector, OnUpdateFilter<R> changed) {
        return new InformerEventSource<>(
                InformerEventSourceConfiguration.from(type, Claw.class)
                        .withName(type.getSimpleName().toLowerCase())
                        .withItemStore(new SlimStore<>())
                        .withLabelSelector(selector)
                        .withSecondaryToPrimaryMapper(ClawEventSources::byInstanceLabel)
                        .withOnUpdateFilter(changed)
                        .build(),
                context);
    }

    /** The cache of the children of one kind the operator writes (its {@code getKind()}). */
    InformerEventSource<? extends HasMetadata, Claw> ofKind(String kind) {
        return switch (kind) {
            case "StatefulSet" -> statefulSets;
            case "Service" -> services;
            case "ConfigMap" -> configMaps;
            case "Secret" -> secrets;
            case "ServiceAccount" -> serviceAccounts;
            case "NetworkPolicy" -> networkPolicies;
            case "Ingress" -> ingresses;
            case "PodDisruptionBudget" -> pdbs;
            default -> throw new IllegalArgumentException("claw-operator does not write " + kind);
        };
    }

    List<EventSource<?, Claw>> all() {
        return List.of(
                statefulSets,
                services,
                configMaps,
                secrets,
                secretMetadata,
                serviceAccounts,
                networkPolicies,
                ingresses,
                pdbs,
                claims,
                pods,
                channels);
    }
}
