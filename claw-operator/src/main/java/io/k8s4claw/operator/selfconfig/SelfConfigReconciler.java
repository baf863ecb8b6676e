package io.k8s4claw.operator.selfconfig;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawSelfConfig;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigSpec;
import io.k8s4claw.api.v1alpha1.ClawSelfConfigStatus;
import io.k8s4claw.api.v1alpha1.KeyMapping;
import io.k8s4claw.api.v1alpha1.SelfConfigPhase;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.reconcile.ClawEvents;
import io.k8s4claw.operator.reconcile.SlimStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides each {@code ClawSelfConfig} once (see {@link SelfConfigPlanner}), applies an allowed one to its Claw in a
 * single JSON merge patch under the field manager {@value #FIELD_MANAGER} (with the Claw's resourceVersion as a
 * precondition, so a concurrent change makes it decide again instead of writing over it), records Applied / Denied /
 * Failed in the request's status with an Event on the request and the Claw, watches applied requests for the owner
 * overriding them ({@link SelfConfigOverrides}) and deletes them {@code retention} after they were applied.
 *
 * <p>Why a patch and not server-side apply: an apply states the manager's whole intent, so every later request would
 * have to re-send every earlier request's change or the apiserver would remove it. A request is a one-time edit, which
 * is what an update is. The field manager still records which fields the agent wrote, so a GitOps tool applying with
 * server-side apply meets a conflict naming {@value #FIELD_MANAGER} instead of silently overwriting.
 */
@ControllerConfiguration(name = SelfConfigReconciler.NAME)
public final class SelfConfigReconciler implements Reconciler<ClawSelfConfig> {

    public static final String NAME = "clawselfconfig";
    /** Field manager of every change a request makes to a Claw. */
    public static final String FIELD_MANAGER = "claw-self-config";
    /** k8s4claw's retention of applied requests. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(1);

    public static final String CONDITION_OVERRIDDEN = "Overridden";
    static final String BY_CLAW = "byClaw";
    private static final Logger LOG = LoggerFactory.getLogger(SelfConfigReconciler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ATTEMPTS = 3;

    private final ClawPlanner clawPlanner;
    private final SelfConfigPlanner planner;
    private final Duration retention;
    private final Clock clock;

    public SelfConfigReconciler(ClawPlanner clawPlanner, Duration retention) {
        this(clawPlanner, retention, Clock.systemUTC());
    }

    public SelfConfigReconciler(ClawPlanner clawPlanner, Duration retention, Clock clock) {
        this.clawPlanner = clawPlanner;
        this.planner = new SelfConfigPlanner(clawPlanner::validate);
        this.retention = retention;
        this.clock = clock;
    }

    @Override
    public List<EventSource<?, ClawSelfConfig>> prepareEventSources(EventSourceContext<ClawSelfConfig> context) {
        var requests = context.getPrimaryCache();
        requests.addIndexers(Map.of(
                BY_CLAW,
                r -> r.getSpec() == null || r.getSpec().getClawRef() == null
                        ? List.of()
                        : List.of(r.getMetadata().getNamespace() + "/"
                                + r.getSpec().getClawRef())));
        // A Claw's change may override an applied request (or create the Claw a pending one names). Only spec
        // changes can (a new generation); the Claw is read from the API when it matters, so the cache keeps only
        // each Claw's metadata: its status writes and its spec are not held, or acted on, a second time here.
        InformerEventSource<Claw, ClawSelfConfig> claws = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Claw.class, ClawSelfConfig.class)
                        .withName("claws-of-self-configs")
                        .withOnUpdateFilter((now, before) -> !Objects.equals(
                                now.getMetadata().getGeneration(),
                                before.getMetadata().getGeneration()))
                        .withItemStore(SlimStore.keeping(SelfConfigReconciler::metadataOnly))
                        .withSecondaryToPrimaryMapper(claw -> requests
                                .byIndex(
                                        BY_CLAW,
                                        claw.getMetadata().getNamespace() + "/"
                                                + claw.getMetadata().getName())
                                .stream()
                                .map(ResourceID::fromResource)
                                .collect(Collectors.toSet()))
                        .build(),
                context);
        return List.of(claws);
    }

    /** What this controller's Claw informer keeps of a Claw: its metadata. */
    private static Claw metadataOnly(Claw claw) {
        Claw slim = new Claw();
        slim.setMetadata(claw.getMetadata());
        return slim;
    }

    @Override
    public UpdateControl<ClawSelfConfig> reconcile(ClawSelfConfig request, Context<ClawSelfConfig> context) {
        Optional<Duration> next = process(context.getClient(), request);
        UpdateControl<ClawSelfConfig> control = UpdateControl.noUpdate();
        return next.map(control::rescheduleAfter).orElse(control);
    }

    /**
     * One step for one request, with the given client (the reconciler's, or a test's): decide and apply it, or for an
     * applied one check it still holds and delete it once its retention is over.
     *
     * @return when to look at it again (an applied request: at the end of its retention)
     */
    public Optional<Duration> process(KubernetesClient client, ClawSelfConfig request) {
        ClawSelfConfigStatus status = request.getStatus();
        if (status != null && status.getPhase() != null && status.getPhase().decided()) {
            return status.getPhase() == SelfConfigPhase.APPLIED ? followUp(client, request) : Optional.empty();
        }
        String namespace = request.getMetadata().getNamespace();
        ClawEvents events = new ClawEvents(client);
        for (int attempt = 1; ; attempt++) {
            Claw claw = client.resources(Claw.class)
                    .inNamespace(namespace)
                    .withName(request.getSpec().getClawRef())
                    .get();
            SelfConfigDecision decision = planner.decide(
                    request.getSpec(),
                    namespace,
                    claw,
                    catalog(client, request),
                    claw == null ? Set.of() : secretBackedEnv(client, claw));
            if (decision instanceof SelfConfigDecision.Deny deny) {
                LOG.info(
                        "ClawSelfConfig {}/{} denied: {}",
                        namespace,
                        request.getMetadata().getName(),
                        deny.reason());
                ownedBy(client, request, claw);
                writeStatus(client, request, SelfConfigPhase.DENIED, deny.reason(), null, null);
                events.warning(request, "SelfConfigDenied", deny.reason());
                if (claw != null) {
                    events.warning(
                            claw,
                            "SelfConfigDenied",
                            "ClawSelfConfig " + request.getMetadata().getName() + ": " + deny.reason());
                }
                return Optional.empty();
            }
            SelfConfigDecision.Apply apply = (SelfConfigDecision.Apply) decision;
            ObjectNode patch = JsonNodeFactory.instance.objectNode();
            patch.putObject("metadata")
                    .put("resourceVersion", claw.getMetadata().getResourceVersion());
            patch.set("spec", apply.specPatch());
            try {
                client.resources(Claw.class)
                        .inNamespace(namespace)
                        .withName(claw.getMetadata().getName())
                        .patch(
                                new PatchContext.Builder()
                                        .withPatchType(PatchType.JSON_MERGE)
                                        .withFieldManager(FIELD_MANAGER)
                                        .build(),
                                patch.toString());
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 && attempt < ATTEMPTS) {
                    continue; // the Claw changed since it was read: decide again on the new version
                }
                String message = "could not change Claw " + claw.getMetadata().getName() + " (HTTP " + e.getCode()
                        + ": " + (e.getStatus() != null ? e.getStatus().getMessage() : e.getMessage())
                        + "); nothing was changed";
                ownedBy(client, request, claw);
                writeStatus(client, request, SelfConfigPhase.FAILED, message, null, null);
                events.warning(request, "SelfConfigFailed", message);
                return Optional.empty();
            }
            String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
            LOG.info(
                    "ClawSelfConfig {}/{} applied to Claw {}: {}",
                    namespace,
                    request.getMetadata().getName(),
                    claw.getMetadata().getName(),
                    apply.summary());
            ownedBy(client, request, claw);
            writeStatus(client, request, SelfConfigPhase.APPLIED, apply.summary(), now, null);
            events.normal(request, "SelfConfigApplied", apply.summary());
            events.normal(
                    claw,
                    "SelfConfigApplied",
                    "ClawSelfConfig " + request.getMetadata().getName() + ": " + apply.summary());
            return Optional.of(retention);
        }
    }

    private Optional<Duration> followUp(KubernetesClient client, ClawSelfConfig request) {
        Instant appliedAt = request.getStatus().getAppliedAt() == null
                ? clock.instant()
                : Instant.parse(request.getStatus().getAppliedAt());
        Duration left = Duration.between(clock.instant(), appliedAt.plus(retention));
        if (left.isNegative() || left.isZero()) {
            LOG.info(
                    "ClawSelfConfig {}/{}: applied at {}, retention {} over: deleting it",
                    request.getMetadata().getNamespace(),
                    request.getMetadata().getName(),
                    appliedAt,
                    retention);
            client.resource(request).delete();
            return Optional.empty();
        }
        Claw claw = client.resources(Claw.class)
                .inNamespace(request.getMetadata().getNamespace())
                .withName(request.getSpec().getClawRef())
                .get();
        if (claw != null) {
            overridden(client, request, claw);
        }
        return Optional.of(left);
    }

    /** Sets (once) the Overridden condition when the Claw no longer shows what the request changed. */
    private void overridden(KubernetesClient client, ClawSelfConfig request, Claw claw) {
        List<String> lost = SelfConfigOverrides.lost(request.getSpec(), claw);
        Condition current = condition(request.getStatus(), CONDITION_OVERRIDDEN);
        if (lost.isEmpty() || current != null && "True".equals(current.getStatus())) {
            return;
        }
        List<String> writers = SelfConfigOverrides.writers(request.getSpec(), claw);
        String message = "the Claw's owner changed it since (the later change wins): " + String.join("; ", lost)
                + (writers.isEmpty() ? "" : "; those fields were written by " + String.join(", ", writers));
        Condition condition = new ConditionBuilder()
                .withType(CONDITION_OVERRIDDEN)
                .withStatus("True")
                .withReason("ChangedByOwner")
                .withMessage(message)
                .withObservedGeneration(claw.getMetadata().getGeneration())
                .withLastTransitionTime(
                        clock.instant().truncatedTo(ChronoUnit.SECONDS).toString())
                .build();
        writeStatus(
                client,
                request,
                SelfConfigPhase.APPLIED,
                request.getStatus().getMessage(),
                request.getStatus().getAppliedAt(),
                condition);
        new ClawEvents(client).warning(request, "SelfConfigOverridden", message);
    }

    private static Condition condition(ClawSelfConfigStatus status, String type) {
        if (status == null || status.getConditions() == null) {
            return null;
        }
        return status.getConditions().stream()
                .filter(c -> type.equals(c.getType()))
                .findFirst()
                .orElse(null);
    }

    private static void writeStatus(
            KubernetesClient client,
            ClawSelfConfig request,
            SelfConfigPhase phase,
            String message,
            String appliedAt,
            Condition condition) {
        ClawSelfConfigStatus status = new ClawSelfConfigStatus();
        status.setPhase(phase);
        status.setMessage(message.length() > 4096 ? message.substring(0, 4093) + "..." : message);
        status.setAppliedAt(appliedAt);
        status.setObservedGeneration(request.getMetadata().getGeneration());
        if (condition != null) {
            status.setConditions(List.of(condition));
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.set("status", JSON.valueToTree(status));
        client.resources(ClawSelfConfig.class)
                .inNamespace(request.getMetadata().getNamespace())
                .withName(request.getMetadata().getName())
                .subresource("status")
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        request.setStatus(status);
    }

    /** k8s4claw makes the Claw the request's owner: deleting the Claw deletes its requests. */
    private static void ownedBy(KubernetesClient client, ClawSelfConfig request, Claw claw) {
        if (claw == null
                || request.getMetadata().getOwnerReferences() != null
                        && !request.getMetadata().getOwnerReferences().isEmpty()) {
            return;
        }
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        patch.putObject("metadata")
                .putArray("ownerReferences")
                .addObject()
                .put("apiVersion", claw.getApiVersion())
                .put("kind", claw.getKind())
                .put("name", claw.getMetadata().getName())
                .put("uid", claw.getMetadata().getUid());
        client.resources(ClawSelfConfig.class)
                .inNamespace(request.getMetadata().getNamespace())
                .withName(request.getMetadata().getName())
                .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
    }

    private static SkillCatalog catalog(KubernetesClient client, ClawSelfConfig request) {
        ClawSelfConfigSpec spec = request.getSpec();
        if (spec.getAddSkills() == null || spec.getAddSkills().isEmpty()) {
            return new SkillCatalog(Map.of());
        }
        return SkillCatalog.of(client.configMaps()
                .inNamespace(request.getMetadata().getNamespace())
                .withLabel(SkillCatalog.LABEL, "true")
                .list()
                .getItems());
    }

    /**
     * Names of the variables the runtime container reads from Secrets: the credentials' key mappings, every
     * {@code valueFrom.secretKeyRef} and every key of every Secret it loads with {@code envFrom}, as the adapter
     * renders it.
     */
    private Set<String> secretBackedEnv(KubernetesClient client, Claw claw) {
        Set<String> names = new TreeSet<>();
        String namespace = claw.getMetadata().getNamespace();
        var credentials = claw.getSpec().getCredentials();
        if (credentials != null && credentials.getKeys() != null) {
            credentials.getKeys().stream()
                    .map(KeyMapping::getName)
                    .filter(Objects::nonNull)
                    .forEach(names::add);
        }
        if (claw.getSpec().getEnv() != null) {
            claw.getSpec().getEnv().stream()
                    .filter(e -> e.getValueFrom() != null)
                    .map(EnvVar::getName)
                    .forEach(names::add);
        }
        try {
            var adapter =
                    clawPlanner.adapters().find(claw.getSpec().getRuntime().wireValue());
            if (adapter.isEmpty()) {
                return names;
            }
            List<ClawChannel> channels = new ArrayList<>();
            for (ChannelRef ref : claw.getSpec().getChannels() == null
                    ? List.<ChannelRef>of()
                    : claw.getSpec().getChannels()) {
                ClawChannel c = client.resources(ClawChannel.class)
                        .inNamespace(namespace)
                        .withName(ref.getName())
                        .get();
                if (c != null) {
                    channels.add(c);
                }
            }
            Container runtime =
                    adapter.get().render(RenderContext.of(claw, channels)).runtimeContainer();
            for (EnvVar e : runtime.getEnv()) {
                if (e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null) {
                    names.add(e.getName());
                }
            }
            for (EnvFromSource from : runtime.getEnvFrom()) {
                if (from.getSecretRef() != null) {
                    Secret secret = client.secrets()
                            .inNamespace(namespace)
                            .withName(from.getSecretRef().getName())
                            .get();
                    if (secret != null && secret.getData() != null) {
                        String prefix = from.getPrefix() == null ? "" : from.getPrefix();
                        secret.getData().keySet().forEach(k -> names.add(prefix + k));
                    }
                }
            }
        } catch (RuntimeException e) {
            // a Claw the adapter cannot render: its own status says why; the names known from the spec still protect
            LOG.debug(
                    "could not render Claw {}/{} for its secret-backed variables: {}",
                    namespace,
                    claw.getMetadata().getName(),
                    e.getMessage());
        }
        return names;
    }
}
