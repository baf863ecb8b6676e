package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.k8s4claw.api.runtime.RenderNames;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.AutoUpdateStatus;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.ChannelStatus;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawPhase;
import io.k8s4claw.api.v1alpha1.ClawStatus;
import io.k8s4claw.api.v1alpha1.ReclaimPolicy;
import io.k8s4claw.api.validation.FieldError;
import io.k8s4claw.operator.OperatorVersion;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.archive.ArchiveBeforeUpdate;
import io.k8s4claw.operator.archive.ArchiveOnDelete;
import io.k8s4claw.operator.archive.RestoreProgress;
import io.k8s4claw.operator.desired.ChannelContainers;
import io.k8s4claw.operator.desired.ClawPlanner;
import io.k8s4claw.operator.desired.DesiredState;
import io.k8s4claw.operator.desired.ReferencedSecrets;
import io.k8s4claw.operator.sandbox.RuntimeClassCheck;
import io.k8s4claw.operator.snapshot.VolumeSnapshots;
import io.k8s4claw.operator.update.AutoUpdateMachine;
import io.k8s4claw.operator.update.AutoUpdates;
import io.k8s4claw.operator.update.RegistryClient;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claw → pod. Each reconcile: validate (nothing is written for an invalid Claw but its status), resolve the
 * ClawChannels and Secrets it uses (missing ones are a condition and a retry, not an error loop), compute the
 * desired state, let {@link ChildApplier} write only what differs, then compute the status from what is there.
 */
@ControllerConfiguration(name = ClawReconciler.NAME, finalizerName = ClawApi.FINALIZER)
public final class ClawReconciler implements Reconciler<Claw>, Cleaner<Claw> {

    public static final String NAME = "claw";
    private static final Logger LOG = LoggerFactory.getLogger(ClawReconciler.class);
    static final long RETRY_MISSING_MILLIS = 30_000;

    private final ClawPlanner planner;
    private final OperatorMetrics metrics;
    private final WritePath writePath;
    private final SecretGenerator secretGenerator = new SecretGenerator();
    private volatile ClawEventSources sources;
    private final VolumeSnapshots snapshots;
    private final Optional<Duration> maxReconcileInterval;
    private final ArchiveOnDelete archiveOnDelete =
            new ArchiveOnDelete(OperatorVersion.current().operatorImage());
    private final AutoUpdates autoUpdates;
    /** Per Claw, what its last render wrote (a few hundred bytes each): see {@link RenderMemo}. */
    private final Map<ResourceID, RenderMemo> memos = new ConcurrentHashMap<>();
    /** Per Claw, the {@link #validationKey} of the last version that validated without errors. */
    private final Map<ResourceID, String> validated = new ConcurrentHashMap<>();

    private volatile KubernetesClient metadataClient;
    /** The operator's client, for the pre-update archive (which auto-update asks without one). */
    private volatile KubernetesClient client;

    public ClawReconciler(ClawPlanner planner, OperatorMetrics metrics) {
        this(planner, metrics, WritePath.UPDATE);
    }

    public ClawReconciler(ClawPlanner planner, OperatorMetrics metrics, WritePath writePath) {
        this(planner, metrics, writePath, InstantSource.system(), Optional.empty());
    }

    /**
     * {@code clock}: when snapshot schedules fire (tests move it instead of waiting for cron firings);
     * {@code maxReconcileInterval}: the controller's periodic resync, which a requested reschedule replaces, so no
     * reschedule asks for a later one.
     */
    public ClawReconciler(
            ClawPlanner planner,
            OperatorMetrics metrics,
            WritePath writePath,
            InstantSource clock,
            Optional<Duration> maxReconcileInterval) {
        this.snapshots = new VolumeSnapshots(clock);
        this.maxReconcileInterval = maxReconcileInterval;
        // reclaimPolicy Archive: the volumes are archived before auto-update rolls to a new version.
        this.autoUpdates = new AutoUpdates(
                RegistryClient.create(),
                clock,
                new ArchiveBeforeUpdate(() -> client, OperatorVersion.current().operatorImage()));
        this.planner = planner;
        this.metrics = metrics;
        this.writePath = writePath;
    }

    /**
     * The cache of Claws for this controller: without managed fields (on a real apiserver a field-ownership tree per
     * writer, a large part of each Claw, and copied with it on every reconcile), which nothing here reads.
     */
    public static ItemStore<Claw> primaryStore() {
        return new SlimStore<>();
    }

    @Override
    public List<EventSource<?, Claw>> prepareEventSources(EventSourceContext<Claw> context) {
        client = context.getClient();
        metadataClient = SecretMetadata.client(context.getClient());
        sources = new ClawEventSources(context, metadataClient, new SecretHashes(metrics));
        return sources.all();
    }

    /**
     * Closes what the reconciler opened (the metadata-only client of the Secret informer); after the operator stopped.
     */
    public void close() {
        KubernetesClient c = metadataClient;
        if (c != null) {
            c.close();
        }
    }

    @Override
    public UpdateControl<Claw> reconcile(Claw claw, Context<Claw> context) {
        long start = System.nanoTime();
        boolean failed = false;
        try {
            return doReconcile(claw, context);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        } finally {
            metrics.reconciled("Claw", System.nanoTime() - start, failed);
        }
    }

    private UpdateControl<Claw> doReconcile(Claw claw, Context<Claw> context) {
        KubernetesClient client = context.getClient();
        ClawEvents events = new ClawEvents(client);
        ClawStatus previous = claw.getStatus();
        String namespace = claw.getMetadata().getNamespace();

        // Validation reads only the Claw's name and spec, which a generation names: a Claw found valid at this
        // generation is not validated again on each of the reconciles its children's events cause.
        ResourceID id = ResourceID.fromResource(claw);
        String version = validationKey(claw);
        if (!version.equals(validated.get(id))) {
            List<FieldError> errors = planner.validate(claw);
            if (!errors.isEmpty()) {
                validated.remove(id);
                return invalid(claw, errors, events, context);
            }
            validated.put(id, version);
        }

        List<ChannelRef> refs = claw.getSpec().getChannels() == null
                ? List.of()
                : claw.getSpec().getChannels();
        List<ClawChannel> channels = new ArrayList<>();
        List<String> missingChannels = new ArrayList<>();
        for (ChannelRef ref : refs) {
            sources.channels
                    .get(new ResourceID(ref.getName(), namespace))
                    .ifPresentOrElse(channels::add, () -> missingChannels.add(ref.getName()));
        }
        List<String> missingSecrets = new ArrayList<>();
        Map<String, String> secretHashes = new TreeMap<>();
        for (String name : ReferencedSecrets.of(claw, channels)) {
            sources.secretHashes
                    .hash(client, namespace, name, sources.secretMetadata.get(new ResourceID(name, namespace)))
                    .ifPresentOrElse(hash -> secretHashes.put(name, hash), () -> missingSecrets.add(name));
        }
        if (!missingChannels.isEmpty() || !missingSecrets.isEmpty()) {
            return waiting(claw, refs, channels, missingChannels, missingSecrets, events, context);
        }

        RuntimeClassCheck.Result runtimeClass = RuntimeClassCheck.check(client, claw);
        if (runtimeClass instanceof RuntimeClassCheck.Result.Missing missing) {
            return runtimeClassMissing(claw, missing.name(), events, context);
        }

        // Auto-update first: it decides which tag the StatefulSet renders (the Claw is planned with it in
        // spec.image.tag).
        AutoUpdateStatus previousUpdate = previous == null ? null : previous.getAutoUpdate();
        String instance = claw.getMetadata().getName();
        AutoUpdates.Outcome update = autoUpdates.step(
                claw,
                planner.adapters()
                        .require(claw.getSpec().getRuntime().wireValue())
                        .descriptor()
                        .image(),
                previousUpdate,
                RunningVersionHealth.of(
                        sources.statefulSets.get(new ResourceID(instance, namespace)),
                        sources.pods.get(new ResourceID(instance + "-0", namespace)),
                        previousUpdate == null ? null : previousUpdate.getCurrentVersion()),
                secretName -> Optional.ofNullable(client.secrets()
                        .inNamespace(namespace)
                        .withName(secretName)
                        .get()));
        // The last render of this Claw still holds (same inputs, the cluster still shows what it wrote): skip
        // rendering and hashing every child (RenderMemo). Otherwise render, and write what differs.
        String inputs = RenderMemo.fingerprint(update.claw(), channels, secretHashes);
        RenderMemo memo = memos.get(id);
        DesiredState desired = null;
        RenderMemo.RenderSummary summary;
        if (memo != null && memo.inputs().equals(inputs) && memo.heldBy(sources, namespace)) {
            summary = memo.summary();
        } else {
            // Validated above, unless auto-update changed the tag it renders.
            ClawPlanner.Plan rendered = update.claw() == claw
                    ? planner.planValidated(claw, channels, secretHashes)
                    : planner.plan(update.claw(), channels, secretHashes);
            switch (rendered) {
                case ClawPlanner.Plan.Invalid invalid -> {
                    return invalid(claw, invalid.errors(), events, context);
                }
                case ClawPlanner.Plan.Ready ready -> desired = ready.state();
            }
            summary = summarize(claw, desired);
        }
        Map<VolumeRole, String> claimNames = summary.claimNames();
        Map<VolumeRole, Quantity> claimSizes = summary.claimSizes();
        Map<VolumeRole, Optional<PersistentVolumeClaim>> claims = new EnumMap<>(VolumeRole.class);
        List<FieldError> shrinks = new ArrayList<>();
        claimNames.forEach((role, pvcName) -> {
            Optional<PersistentVolumeClaim> pvc = sources.claims.get(new ResourceID(pvcName, namespace));
            claims.put(role, pvc);
            pvc.ifPresent(p -> {
                Quantity wanted = claimSizes.get(role);
                Quantity current = requested(p);
                if (current != null
                        && Quantity.getAmountInBytes(wanted).compareTo(Quantity.getAmountInBytes(current)) < 0) {
                    shrinks.add(new FieldError(
                            "spec.persistence." + role.specName() + ".size",
                            "volumes can grow but not shrink: claim " + pvcName + " has " + current
                                    + ", the spec asks for " + wanted + "; set at least " + current));
                }
            });
        });
        if (!shrinks.isEmpty()) {
            return invalid(claw, shrinks, events, context);
        }

        List<ChildApplier.Outcome> outcomes = new ArrayList<>();
        ChildApplier.Outcome podOutcome = ChildApplier.Outcome.UNCHANGED;
        String name = claw.getMetadata().getName();
        if (desired != null) {
            podOutcome = applyChildren(claw, desired, client, namespace, outcomes);
            memos.put(id, memoOf(inputs, desired, summary));
        }
        claims.forEach((role, pvc) -> pvc.ifPresent(p -> reconcileClaim(client, claw, p, claimSizes.get(role))));
        VolumeSnapshots.Outcome snapshotOutcome = snapshots.reconcile(client, claw, claimNames, claims);
        if (outcomes.stream().anyMatch(o -> o != ChildApplier.Outcome.UNCHANGED)) {
            LOG.info("Claw {}/{}: children {}", namespace, name, outcomes);
        }

        Optional<StatefulSet> sts = sources.statefulSets.get(new ResourceID(name, namespace));
        if (update.step().isPresent()
                && ForcedRollback.deleteStuckPod(
                        client,
                        sources.pods.get(new ResourceID(name + "-0", namespace)),
                        summary.runtimeContainer(),
                        summary.runtimeImage(),
                        update.status())) {
            events.normal(
                    claw,
                    "RollbackPodReplaced",
                    "deleted pod " + name + "-0, stuck on the rolled-back release, so the"
                            + " StatefulSet makes it again with " + summary.runtimeImage());
        }
        boolean podReady = podOutcome == ChildApplier.Outcome.UNCHANGED
                && sts.filter(ClawStatusBuilder::rolledOutAndReady).isPresent();
        boolean rolling = podOutcome != ChildApplier.Outcome.UNCHANGED
                || sts.isEmpty()
                || ClawStatusBuilder.rollingOut(sts.get());
        PodReadiness containers = new PodReadiness(sources.pods.get(new ResourceID(name + "-0", namespace)), podReady);
        String runtimeName = summary.runtimeContainer();
        boolean runtimeReady = !rolling && containers.ready(runtimeName);
        boolean bridgeReady = channels.isEmpty() || (!rolling && containers.ready("claw-ipc-bridge"));
        List<String> channelsNotReady = channels.stream()
                .map(c -> c.getMetadata().getName())
                .filter(c ->
                        rolling || !containers.ready(summary.channelContainers().get(c)))
                .toList();
        boolean ready = !claw.getSpec().suspendedRequested()
                && podReady
                && runtimeReady
                && bridgeReady
                && channelsNotReady.isEmpty();
        boolean wasUp = previous != null
                && previous.getPhase() != null
                && List.of(ClawPhase.RUNNING, ClawPhase.DEGRADED, ClawPhase.UPDATING)
                        .contains(previous.getPhase());
        boolean suspended = claw.getSpec().suspendedRequested();
        Optional<RestoreProgress.Report> restore =
                RestoreProgress.of(claw, sources.pods.get(new ResourceID(name + "-0", namespace)));
        boolean restoreFailed = restore.filter(RestoreProgress.Report::failed).isPresent();
        ClawPhase phase;
        if (suspended) {
            phase = ClawPhase.SUSPENDED;
        } else if (restoreFailed) {
            phase = ClawPhase.FAILED;
        } else if (ready) {
            phase = ClawPhase.RUNNING;
        } else if (!wasUp) {
            phase = ClawPhase.PROVISIONING;
        } else if (rolling) {
            phase = ClawPhase.UPDATING;
        } else {
            phase = ClawPhase.DEGRADED;
        }
        String waiting = suspended
                ? "suspended (spec.suspended: true): the runtime is scaled to zero; its claims, Secrets and"
                        + " the bridge's log are kept; set spec.suspended: false to resume"
                : restoreFailed
                        ? restore.get().message()
                        : phase == ClawPhase.UPDATING
                                ? "the pod is being replaced with the new template"
                                : phase == ClawPhase.PROVISIONING ? "waiting for the pod to start" : "not ready";
        ClawStatusBuilder status = new ClawStatusBuilder(claw)
                .phase(phase)
                .condition(
                        ClawApi.CONDITION_CONFIG_VALID,
                        true,
                        "Valid",
                        summary.warnings().isEmpty()
                                ? "the spec is valid"
                                : "the spec is valid; adjusted: " + String.join("; ", summary.warnings()))
                .condition(
                        ClawApi.CONDITION_RUNTIME_READY,
                        runtimeReady,
                        runtimeReady ? "ContainerReady" : phase.wireValue(),
                        runtimeReady
                                ? "container " + runtimeName + " is ready"
                                : "container " + runtimeName + ": " + waiting);
        if (channels.isEmpty()) {
            status.condition(
                            ClawApi.CONDITION_BRIDGE_READY,
                            true,
                            "NoChannels",
                            "the Claw has no channels, so no bridge runs")
                    .condition(ClawApi.CONDITION_CHANNELS_READY, true, "NoChannels", "the Claw has no channels");
        } else {
            status.condition(
                            ClawApi.CONDITION_BRIDGE_READY,
                            bridgeReady,
                            bridgeReady ? "ContainerReady" : phase.wireValue(),
                            bridgeReady
                                    ? "container claw-ipc-bridge is ready"
                                    : "container claw-ipc-bridge: " + waiting)
                    .condition(
                            ClawApi.CONDITION_CHANNELS_READY,
                            channelsNotReady.isEmpty(),
                            channelsNotReady.isEmpty() ? "ContainerReady" : phase.wireValue(),
                            channelsNotReady.isEmpty()
                                    ? "all " + channels.size() + " channel sidecar(s) are ready"
                                    : "channel sidecar(s) " + String.join(", ", channelsNotReady) + ": " + waiting);
        }
        status.condition(
                        ClawApi.CONDITION_READY,
                        ready,
                        ready ? "Running" : phase.wireValue(),
                        ready ? "the pod is ready" : waiting)
                .channels(refs.stream()
                        .map(r -> channelStatus(
                                r.getName(),
                                channelsNotReady.contains(r.getName())
                                        ? (rolling || !wasUp ? "Pending" : "NotReady")
                                        : "Ready",
                                null))
                        .toList())
                .persistence(claims, claimNames)
                .snapshots(snapshotOutcome.last());
        switch (runtimeClass) {
            case RuntimeClassCheck.Result.Found found ->
                status.condition(
                        ClawApi.CONDITION_RUNTIME_CLASS_FOUND,
                        true,
                        "Found",
                        "RuntimeClass " + found.name() + " exists (handler " + found.handler() + ")");
            case RuntimeClassCheck.Result.Unchecked unchecked ->
                status.unknown(
                        ClawApi.CONDITION_RUNTIME_CLASS_FOUND,
                        "Unchecked",
                        "RuntimeClass " + unchecked.name() + " could not be checked: " + unchecked.why());
            default -> {}
        }
        snapshotOutcome
                .condition()
                .ifPresent(c -> status.condition(ClawApi.CONDITION_SNAPSHOTS_READY, c.ok(), c.reason(), c.message()));
        restore.ifPresent(r -> {
            if (r.ok() == null) {
                status.unknown(ClawApi.CONDITION_RESTORED, r.reason(), r.message());
            } else {
                status.condition(ClawApi.CONDITION_RESTORED, r.ok(), r.reason(), r.message());
            }
        });
        status.autoUpdate(update.status());
        update.step().ifPresent(step -> {
            step.condition()
                    .ifPresentOrElse(
                            c -> status.condition(AutoUpdateMachine.CONDITION, c.ok(), c.reason(), c.message()),
                            () ->
                                    Optional.ofNullable(previous)
                                            .map(ClawStatus::getConditions)
                                            .orElse(List.of())
                                            .stream()
                                            .filter(c -> AutoUpdateMachine.CONDITION.equals(c.getType()))
                                            .findFirst()
                                            .ifPresent(c -> status.condition(
                                                    c.getType(),
                                                    "True".equals(c.getStatus()),
                                                    c.getReason(),
                                                    c.getMessage())));
            step.events().forEach(e -> {
                if (e.warning()) {
                    events.warning(claw, e.reason(), e.message());
                } else {
                    events.normal(claw, e.reason(), e.message());
                }
            });
        });
        UpdateControl<Claw> control = finish(claw, status.build(previous), events, context);
        // VolumeSnapshots are not watched: look again at the next firing, or soon while the newest is not ready.
        // Auto-update looks again at a trial's deadline or the next scheduled check.
        return Stream.of(snapshotOutcome.recheckAfter(), update.step().map(AutoUpdateMachine.Step::wakeAfter))
                .flatMap(Optional::stream)
                .min(Comparator.naturalOrder())
                .map(d -> control.rescheduleAfter(Math.max(1_000, capped(d).toMillis())))
                .orElse(control);
    }

    /** Writes what differs between {@code desired} and the cluster; returns what happened to the StatefulSet. */
    private ChildApplier.Outcome applyChildren(
            Claw claw,
            DesiredState desired,
            KubernetesClient client,
            String namespace,
            List<ChildApplier.Outcome> outcomes) {
        ChildApplier applier = new ChildApplier(client, metrics, writePath);
        outcomes.add(applier.apply(claw, desired.serviceAccount(), sources.serviceAccounts));
        outcomes.add(applier.apply(claw, desired.configMap(), sources.configMaps));
        desired.renderedSecret().ifPresent(s -> outcomes.add(applier.apply(claw, s, sources.secrets)));
        for (DesiredState.GeneratedSecretPlan plan : desired.generatedSecrets()) {
            outcomes.add(applier.createOnce(claw, secretGenerator.generate(plan, namespace), sources.secrets));
        }
        outcomes.add(applier.apply(claw, desired.service(), sources.services));
        ChildApplier.Outcome podOutcome = applier.apply(claw, desired.statefulSet(), sources.statefulSets);
        outcomes.add(podOutcome);
        String name = claw.getMetadata().getName();
        outcomes.add(desired.networkPolicy()
                .map(np -> applier.apply(claw, np, sources.networkPolicies))
                .orElseGet(() -> applier.deleteIfOwned(claw, name, sources.networkPolicies)));
        outcomes.add(desired.ingress()
                .map(i -> applier.apply(claw, i, sources.ingresses))
                .orElseGet(() -> applier.deleteIfOwned(claw, name, sources.ingresses)));
        outcomes.add(desired.podDisruptionBudget()
                .map(p -> applier.apply(claw, p, sources.pdbs))
                .orElseGet(() -> applier.deleteIfOwned(claw, name, sources.pdbs)));
        return podOutcome;
    }

    /** The memo of a render whose children {@link #applyChildren} just stamped and wrote. */
    private static RenderMemo memoOf(String inputs, DesiredState desired, RenderMemo.RenderSummary summary) {
        List<ChildApplier.Expected> written =
                desired.manifests().stream().map(ChildApplier.Expected::of).toList();
        String name = desired.statefulSet().getMetadata().getName();
        List<RenderMemo.Absent> absent = new ArrayList<>();
        if (desired.networkPolicy().isEmpty()) {
            absent.add(new RenderMemo.Absent("NetworkPolicy", name));
        }
        if (desired.ingress().isEmpty()) {
            absent.add(new RenderMemo.Absent("Ingress", name));
        }
        if (desired.podDisruptionBudget().isEmpty()) {
            absent.add(new RenderMemo.Absent("PodDisruptionBudget", name));
        }
        return new RenderMemo(
                inputs,
                written,
                absent,
                desired.generatedSecrets().stream()
                        .map(DesiredState.GeneratedSecretPlan::name)
                        .toList(),
                summary);
    }

    /** What the status and the claims' handling read of a render. */
    private static RenderMemo.RenderSummary summarize(Claw claw, DesiredState desired) {
        Map<VolumeRole, String> claimNames = new EnumMap<>(VolumeRole.class);
        Map<VolumeRole, Quantity> claimSizes = new EnumMap<>(VolumeRole.class);
        RenderNames renderNames = RenderNames.defaults(claw.getMetadata().getName());
        for (var template : desired.statefulSet().getSpec().getVolumeClaimTemplates()) {
            for (VolumeRole role : VolumeRole.values()) {
                if (renderNames.volumeName(role).equals(template.getMetadata().getName())) {
                    claimNames.put(
                            role,
                            template.getMetadata().getName() + "-"
                                    + claw.getMetadata().getName() + "-0");
                    claimSizes.put(
                            role,
                            template.getSpec().getResources().getRequests().get("storage"));
                }
            }
        }
        var runtime = desired.statefulSet()
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .get(0);
        Map<String, String> channelContainers = new TreeMap<>();
        for (ChannelRef ref : claw.getSpec().getChannels() == null
                ? List.<ChannelRef>of()
                : claw.getSpec().getChannels()) {
            channelContainers.put(ref.getName(), ChannelContainers.hosting(desired.statefulSet(), ref.getName()));
        }
        return new RenderMemo.RenderSummary(
                runtime.getName(), runtime.getImage(), channelContainers, desired.warnings(), claimNames, claimSizes);
    }

    private UpdateControl<Claw> invalid(Claw claw, List<FieldError> errors, ClawEvents events, Context<Claw> context) {
        String message = errors.stream().map(FieldError::toString).collect(Collectors.joining("; "));
        ClawStatus status = new ClawStatusBuilder(claw)
                .phase(ClawPhase.FAILED)
                .condition(ClawApi.CONDITION_CONFIG_VALID, false, "Invalid", message)
                .condition(
                        ClawApi.CONDITION_READY,
                        false,
                        "InvalidSpec",
                        "nothing was created or changed until the spec is fixed")
                .build(claw.getStatus());
        return finish(claw, status, events, context);
    }

    private UpdateControl<Claw> waiting(
            Claw claw,
            List<ChannelRef> refs,
            List<ClawChannel> found,
            List<String> missingChannels,
            List<String> missingSecrets,
            ClawEvents events,
            Context<Claw> context) {
        ClawStatusBuilder status = new ClawStatusBuilder(claw)
                .phase(ClawPhase.PENDING)
                .condition(ClawApi.CONDITION_CONFIG_VALID, true, "Valid", "the spec is valid");
        List<String> waitingFor = new ArrayList<>();
        if (!missingSecrets.isEmpty()) {
            String msg = "Secret(s) " + String.join(", ", missingSecrets) + " not found in namespace "
                    + claw.getMetadata().getNamespace() + "; create them (the pod reads them)";
            status.condition(ClawApi.CONDITION_RUNTIME_READY, false, "SecretNotFound", msg);
            waitingFor.add(msg);
        } else {
            status.unknown(ClawApi.CONDITION_RUNTIME_READY, "Waiting", "waiting for the Claw's dependencies");
        }
        if (!missingChannels.isEmpty()) {
            String msg = "ClawChannel(s) " + String.join(", ", missingChannels) + " not found in namespace "
                    + claw.getMetadata().getNamespace() + "; create them or remove them from spec.channels";
            status.condition(ClawApi.CONDITION_CHANNELS_READY, false, "ChannelNotFound", msg);
            waitingFor.add(msg);
        } else {
            status.unknown(ClawApi.CONDITION_CHANNELS_READY, "Waiting", "waiting for the Claw's dependencies");
        }
        status.unknown(ClawApi.CONDITION_BRIDGE_READY, "Waiting", "waiting for the Claw's dependencies")
                .condition(ClawApi.CONDITION_READY, false, "MissingDependency", String.join("; ", waitingFor))
                .channels(refs.stream()
                        .map(r -> missingChannels.contains(r.getName())
                                ? channelStatus(
                                        r.getName(), "NotFound", "ClawChannel " + r.getName() + " does not exist")
                                : channelStatus(r.getName(), "Pending", null))
                        .toList());
        UpdateControl<Claw> control = finish(claw, status.build(claw.getStatus()), events, context);
        // Watches on Secrets and ClawChannels bring the Claw back as soon as they appear; the retry is a safety net.
        return control.rescheduleAfter(RETRY_MISSING_MILLIS);
    }

    /** The named RuntimeClass does not exist: no pod is made (it would be refused), the Claw says why and waits. */
    private UpdateControl<Claw> runtimeClassMissing(Claw claw, String name, ClawEvents events, Context<Claw> context) {
        String msg =
                "RuntimeClass " + name + " (spec.security.runtimeClassName) does not exist in the cluster; install the"
                        + " sandbox runtime (gVisor, Kata) and its RuntimeClass, or remove the field; no pod is "
                        + "created until then";
        ClawStatus status = new ClawStatusBuilder(claw)
                .phase(ClawPhase.PENDING)
                .condition(ClawApi.CONDITION_CONFIG_VALID, true, "Valid", "the spec is valid")
                .condition(ClawApi.CONDITION_RUNTIME_CLASS_FOUND, false, "RuntimeClassNotFound", msg)
                .condition(ClawApi.CONDITION_RUNTIME_READY, false, "RuntimeClassNotFound", msg)
                .condition(ClawApi.CONDITION_READY, false, "RuntimeClassNotFound", msg)
                .build(claw.getStatus());
        // RuntimeClasses are not watched (cluster-scoped, rarely change): look again on a timer.
        return finish(claw, status, events, context)
                .rescheduleAfter(capped(Duration.ofMillis(RETRY_MISSING_MILLIS)).toMillis());
    }

    /** A requested reschedule replaces the periodic resync: never ask for one later than that. */
    private Duration capped(Duration d) {
        return maxReconcileInterval.filter(max -> max.compareTo(d) < 0).orElse(d);
    }

    private UpdateControl<Claw> finish(Claw claw, ClawStatus status, ClawEvents events, Context<Claw> context) {
        ClawStatus previous = claw.getStatus();
        metrics.phase(
                claw.getMetadata().getNamespace(),
                claw.getMetadata().getName(),
                status.getPhase().wireValue());
        metrics.claws()
                .observe(
                        claw.getMetadata().getNamespace(),
                        claw.getMetadata().getName(),
                        ClawSamples.of(
                                claw,
                                status,
                                sources == null
                                        ? Optional.empty()
                                        : sources.pods.get(new ResourceID(
                                                claw.getMetadata().getName() + "-0",
                                                claw.getMetadata().getNamespace()))));
        if (ClawStatusBuilder.sameIgnoringTimes(previous, status)) {
            return UpdateControl.noUpdate();
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug(
                    "Claw {}/{} status changes from {} to {}",
                    claw.getMetadata().getNamespace(),
                    claw.getMetadata().getName(),
                    Serialization.asJson(previous),
                    Serialization.asJson(status));
        }
        ClawPhase before = previous == null ? null : previous.getPhase();
        if (before != status.getPhase()) {
            String reason = status.getPhase().wireValue();
            String message = status.getConditions().stream()
                    .filter(c -> c.getType().equals(ClawApi.CONDITION_CONFIG_VALID) && "False".equals(c.getStatus()))
                    .findFirst()
                    .map(c -> "invalid spec: " + c.getMessage())
                    .orElse(status.getConditions().stream()
                            .filter(c -> c.getType().equals(ClawApi.CONDITION_READY))
                            .findFirst()
                            .map(c -> c.getMessage())
                            .orElse(reason));
            if (status.getPhase() == ClawPhase.FAILED || status.getPhase() == ClawPhase.DEGRADED) {
                events.warning(claw, reason, message);
            } else {
                events.normal(claw, reason, message);
            }
        }
        // The whole status replaced (PUT /status with the resourceVersion read: a stale read is a 409 and a retry),
        // and put into JOSDK's cache. Not JOSDK's non-SSA default (a JSON patch diff, whose list indexes go stale
        // under concurrent writers), nor a merge patch (the test API server merges lists instead of replacing them).
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(claw, context, c -> {
            c.setStatus(status);
            return c;
        });
        return UpdateControl.noUpdate();
    }

    private static ChannelStatus channelStatus(String name, String state, String lastError) {
        ChannelStatus s = new ChannelStatus();
        s.setName(name);
        s.setStatus(state);
        s.setLastError(lastError);
        return s;
    }

    /**
     * The version of what validation reads: uid and generation (the apiserver bumps it on every spec change); where a
     * server keeps no generation, the resourceVersion (any change).
     */
    static String validationKey(Claw claw) {
        var m = claw.getMetadata();
        return m.getUid() + "/" + (m.getGeneration() != null ? "g" + m.getGeneration() : "rv" + m.getResourceVersion());
    }

    private static Quantity requested(PersistentVolumeClaim pvc) {
        return pvc.getSpec() == null
                        || pvc.getSpec().getResources() == null
                        || pvc.getSpec().getResources().getRequests() == null
                ? null
                : pvc.getSpec().getResources().getRequests().get("storage");
    }

    static ReclaimPolicy reclaimPolicy(Claw claw) {
        var p = claw.getSpec().getPersistence();
        return p == null || p.getReclaimPolicy() == null ? ReclaimPolicy.RETAIN : p.getReclaimPolicy();
    }

    /**
     * A claim made from a volumeClaimTemplate: grow it to the spec's size, and keep its owner reference in line
     * with the reclaim policy (owned by the Claw only under Delete, so Retain claims outlive it).
     */
    private void reconcileClaim(KubernetesClient client, Claw claw, PersistentVolumeClaim pvc, Quantity wanted) {
        Quantity current = requested(pvc);
        boolean grow =
                current != null && Quantity.getAmountInBytes(wanted).compareTo(Quantity.getAmountInBytes(current)) > 0;
        boolean shouldOwn = reclaimPolicy(claw) == ReclaimPolicy.DELETE;
        boolean owns = ChildApplier.ownedBy(pvc, claw);
        if (!grow && shouldOwn == owns) {
            return;
        }
        PersistentVolumeClaim updated = ChildApplier.copy(pvc);
        if (grow) {
            updated.getSpec().getResources().getRequests().put("storage", wanted);
        }
        List<OwnerReference> owners = new ArrayList<>(
                pvc.getMetadata().getOwnerReferences() == null
                        ? List.of()
                        : pvc.getMetadata().getOwnerReferences());
        owners.removeIf(r -> r.getUid().equals(claw.getMetadata().getUid()));
        if (shouldOwn) {
            OwnerReference ref = ChildApplier.ownerReference(claw);
            ref.setController(false);
            owners.add(ref);
        }
        updated.getMetadata().setOwnerReferences(owners);
        PersistentVolumeClaim written = client.resource(updated).update();
        metrics.childWrite("PersistentVolumeClaim", "update");
        sources.claims.handleRecentResourceUpdate(ResourceID.fromResource(claw), written, pvc);
    }

    @Override
    public DeleteControl cleanup(Claw claw, Context<Claw> context) {
        KubernetesClient client = context.getClient();
        if (claw.getStatus() == null || claw.getStatus().getPhase() != ClawPhase.TERMINATING) {
            try {
                PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(claw, context, c -> {
                    ClawStatus status = c.getStatus() == null ? new ClawStatus() : c.getStatus();
                    status.setPhase(ClawPhase.TERMINATING);
                    c.setStatus(status);
                    return c;
                });
            } catch (KubernetesClientException e) {
                // Only a courtesy for whoever watches the deletion: never hold it up.
                LOG.debug(
                        "could not mark Claw {}/{} Terminating: {}",
                        claw.getMetadata().getNamespace(),
                        claw.getMetadata().getName(),
                        e.getMessage());
            }
        }
        ReclaimPolicy policy = claw.getSpec() == null ? ReclaimPolicy.RETAIN : reclaimPolicy(claw);
        String instance = claw.getMetadata().getName();
        List<PersistentVolumeClaim> pvcs = sources.claims
                .list(
                        claw.getMetadata().getNamespace(),
                        p -> p.getMetadata().getLabels() != null
                                && instance.equals(p.getMetadata().getLabels().get(ClawApi.LABEL_CLAW_INSTANCE)))
                .toList();
        String archiveOutcome = "";
        if (policy == ReclaimPolicy.ARCHIVE && !pvcs.isEmpty()) {
            StatefulSet sts = sources.statefulSets
                    .get(new ResourceID(instance, claw.getMetadata().getNamespace()))
                    .orElse(null);
            switch (archiveOnDelete.step(client, claw, pvcs, sts)) {
                case ArchiveOnDelete.Waiting waiting -> {
                    archiveCondition(claw, context, false, "Archiving", waiting.progress());
                    return DeleteControl.noFinalizerRemoval()
                            .rescheduleAfter(capped(Duration.ofSeconds(2)).toMillis());
                }
                case ArchiveOnDelete.Done done -> {
                    if (done.failures().isEmpty()) {
                        archiveOutcome = "; archived: " + String.join("; ", done.archived());
                    } else {
                        // The data stays: the claims are released as under Retain, and the Event says why.
                        new ClawEvents(client)
                                .warning(
                                        claw,
                                        "ArchiveFailed",
                                        "archiving failed, the claims are kept (as under" + " Retain): "
                                                + String.join("; ", done.failures()));
                        archiveOutcome =
                                "; archive FAILED for " + done.failures().size() + " volume(s), their claims kept";
                    }
                }
            }
        }
        for (PersistentVolumeClaim pvc : pvcs) {
            if (policy == ReclaimPolicy.DELETE) {
                client.resource(pvc).delete();
                metrics.childWrite("PersistentVolumeClaim", "delete");
            } else if (ChildApplier.ownedBy(pvc, claw)) {
                // Retain (and Archive, once archived or failed to archive): the claim must survive its Claw.
                client.persistentVolumeClaims()
                        .inNamespace(pvc.getMetadata().getNamespace())
                        .withName(pvc.getMetadata().getName())
                        .patch(
                                PatchContext.of(PatchType.JSON_MERGE),
                                "{\"metadata\":{\"ownerReferences\":" + ownersWithout(pvc, claw) + "}}");
                metrics.childWrite("PersistentVolumeClaim", "update");
            }
        }
        new ClawEvents(client)
                .normal(
                        claw,
                        "Deleted",
                        "Claw deleted; " + pvcs.size() + " claim(s) "
                                + (policy == ReclaimPolicy.DELETE
                                        ? "deleted"
                                        : "retained (reclaimPolicy " + policy.wireValue() + ")")
                                + archiveOutcome);
        metrics.forget(claw.getMetadata().getNamespace(), claw.getMetadata().getName());
        memos.remove(ResourceID.fromResource(claw));
        validated.remove(ResourceID.fromResource(claw));
        return DeleteControl.defaultDelete();
    }

    /** The deletion's progress in status (best effort, like the Terminating phase: never holds the deletion up). */
    private static void archiveCondition(Claw claw, Context<Claw> context, boolean ok, String reason, String message) {
        try {
            PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(claw, context, c -> {
                ClawStatus status = c.getStatus() == null ? new ClawStatus() : c.getStatus();
                status.setPhase(ClawPhase.TERMINATING);
                List<Condition> conditions =
                        new ArrayList<>(status.getConditions() == null ? List.of() : status.getConditions());
                conditions.removeIf(x -> ClawApi.CONDITION_ARCHIVED.equals(x.getType()));
                conditions.add(new ConditionBuilder()
                        .withType(ClawApi.CONDITION_ARCHIVED)
                        .withStatus(ok ? "True" : "False")
                        .withReason(reason)
                        .withMessage(message)
                        .withLastTransitionTime(
                                Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
                        .withObservedGeneration(c.getMetadata().getGeneration())
                        .build());
                status.setConditions(conditions);
                c.setStatus(status);
                return c;
            });
        } catch (KubernetesClientException e) {
            LOG.debug(
                    "could not report archive progress of Claw {}/{}: {}",
                    claw.getMetadata().getNamespace(),
                    claw.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private static String ownersWithout(PersistentVolumeClaim pvc, Claw claw) {
        List<OwnerReference> rest = pvc.getMetadata().getOwnerReferences().stream()
                .filter(r -> !r.getUid().equals(claw.getMetadata().getUid()))
                .toList();
        return new KubernetesSerialization().asJson(rest);
    }
}
