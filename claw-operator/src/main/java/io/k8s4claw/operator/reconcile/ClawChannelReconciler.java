package io.k8s4claw.operator.reconcile;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
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
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.k8s4claw.api.v1alpha1.ChannelRef;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawApi;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawChannelStatus;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.validation.FieldError;
import io.k8s4claw.operator.app.OperatorMetrics;
import io.k8s4claw.operator.desired.ClawValidation;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * ClawChannel: its status lists the Claws that use it, and its deletion is held (finalizer) while any does, so
 * a running pod never loses a sidecar's configuration underneath it.
 */
@ControllerConfiguration(name = ClawChannelReconciler.NAME, finalizerName = ClawApi.FINALIZER)
public final class ClawChannelReconciler implements Reconciler<ClawChannel>, Cleaner<ClawChannel> {

    public static final String NAME = "clawchannel";
    static final long RECHECK_BLOCKED_DELETE_MILLIS = 30_000;

    private final OperatorMetrics metrics;
    private volatile InformerEventSource<Claw, ClawChannel> claws;

    public ClawChannelReconciler(OperatorMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public List<EventSource<?, ClawChannel>> prepareEventSources(EventSourceContext<ClawChannel> context) {
        claws = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(Claw.class, ClawChannel.class)
                        .withName("claws-of-channels")
                        // Only which Claws name which channels matters here: a Claw's status writes (several while
                        // it starts) and other spec changes are not this controller's business, and its cache keeps
                        // of each Claw its metadata and channel references, not a second copy of every Claw.
                        .withOnUpdateFilter((now, before) -> !channelNames(now).equals(channelNames(before)))
                        .withItemStore(SlimStore.keeping(ClawChannelReconciler::channelRefs))
                        .withSecondaryToPrimaryMapper(claw ->
                                claw.getSpec() == null || claw.getSpec().getChannels() == null
                                        ? Set.of()
                                        : claw.getSpec().getChannels().stream()
                                                .map(ChannelRef::getName)
                                                .filter(Objects::nonNull)
                                                .map(n -> new ResourceID(
                                                        n, claw.getMetadata().getNamespace()))
                                                .collect(Collectors.toSet()))
                        .build(),
                context);
        return List.of(claws);
    }

    private static List<String> channelNames(Claw claw) {
        return claw.getSpec() == null || claw.getSpec().getChannels() == null
                ? List.of()
                : claw.getSpec().getChannels().stream().map(ChannelRef::getName).toList();
    }

    /** What {@link #referencingClaws} reads of a Claw: its metadata and spec.channels. */
    private static Claw channelRefs(Claw claw) {
        Claw slim = new Claw();
        slim.setMetadata(claw.getMetadata());
        ClawSpec spec = new ClawSpec();
        spec.setChannels(claw.getSpec() == null ? null : claw.getSpec().getChannels());
        slim.setSpec(spec);
        return slim;
    }

    /** Names of the Claws (same namespace, not yet gone) whose spec.channels name this channel, sorted. */
    List<String> referencingClaws(ClawChannel channel) {
        String name = channel.getMetadata().getName();
        return claws.list(
                        channel.getMetadata().getNamespace(),
                        claw -> claw.getSpec() != null
                                && claw.getSpec().getChannels() != null
                                && claw.getSpec().getChannels().stream().anyMatch(r -> name.equals(r.getName())))
                .map(c -> c.getMetadata().getName())
                .sorted()
                .toList();
    }

    @Override
    public UpdateControl<ClawChannel> reconcile(ClawChannel channel, Context<ClawChannel> context) {
        long start = System.nanoTime();
        boolean failed = false;
        try {
            return doReconcile(channel, context);
        } catch (RuntimeException e) {
            failed = true;
            throw e;
        } finally {
            metrics.reconciled("ClawChannel", System.nanoTime() - start, failed);
        }
    }

    private UpdateControl<ClawChannel> doReconcile(ClawChannel channel, Context<ClawChannel> context) {
        List<String> users = referencingClaws(channel);
        List<FieldError> errors = ClawValidation.validateChannel(channel);
        ClawChannelStatus status = new ClawChannelStatus();
        status.setObservedGeneration(channel.getMetadata().getGeneration());
        status.setReferenceCount(users.size());
        status.setReferencingClaws(users);
        Condition valid = new ConditionBuilder()
                .withType(ClawApi.CONDITION_CONFIG_VALID)
                .withStatus(errors.isEmpty() ? "True" : "False")
                .withReason(errors.isEmpty() ? "Valid" : "Invalid")
                .withMessage(
                        errors.isEmpty()
                                ? "the spec is valid"
                                : errors.stream().map(FieldError::toString).collect(Collectors.joining("; ")))
                .withObservedGeneration(channel.getMetadata().getGeneration())
                .build();
        ClawChannelStatus previous = channel.getStatus();
        Condition old = previous == null || previous.getConditions() == null
                ? null
                : previous.getConditions().stream()
                        .filter(c -> c.getType().equals(valid.getType()))
                        .findFirst()
                        .orElse(null);
        valid.setLastTransitionTime(
                old != null && Objects.equals(old.getStatus(), valid.getStatus()) && old.getLastTransitionTime() != null
                        ? old.getLastTransitionTime()
                        : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        status.setConditions(List.of(valid));
        if (previous != null
                && Objects.equals(previous.getReferencingClaws(), status.getReferencingClaws())
                && Objects.equals(previous.getReferenceCount(), status.getReferenceCount())
                && Objects.equals(previous.getObservedGeneration(), status.getObservedGeneration())
                && Objects.equals(previous.getConditions(), status.getConditions())) {
            return UpdateControl.noUpdate();
        }
        // The whole status replaced (PUT /status, optimistic lock) and cached so the next reconcile sees it; JOSDK's
        // non-SSA default is a JSON patch diff, whose list indexes go stale when referencingClaws changes concurrently.
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(channel, context, c -> {
            c.setStatus(status);
            return c;
        });
        return UpdateControl.noUpdate();
    }

    @Override
    public DeleteControl cleanup(ClawChannel channel, Context<ClawChannel> context) {
        List<String> users = referencingClaws(channel);
        if (users.isEmpty()) {
            return DeleteControl.defaultDelete();
        }
        new ClawEvents(context.getClient())
                .warning(
                        channel,
                        "DeletionBlocked",
                        "ClawChannel " + channel.getMetadata().getName() + " is still used by Claw(s) "
                                + String.join(", ", users)
                                + "; it is deleted once none of them lists it in spec.channels");
        // The Claw informer brings the channel back when a Claw drops it; the reschedule is a safety net.
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(RECHECK_BLOCKED_DELETE_MILLIS);
    }
}
