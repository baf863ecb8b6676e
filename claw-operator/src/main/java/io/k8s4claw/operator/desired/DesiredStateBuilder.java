package io.k8s4claw.operator.desired;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRuleBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.k8s4claw.api.runtime.ConfigFile;
import io.k8s4claw.api.runtime.GeneratedSecret;
import io.k8s4claw.api.runtime.PodContribution;
import io.k8s4claw.api.runtime.RenderContext;
import io.k8s4claw.api.runtime.RenderNames;
import io.k8s4claw.api.runtime.RuntimeAdapter;
import io.k8s4claw.api.runtime.RuntimePort;
import io.k8s4claw.api.runtime.VolumeRole;
import io.k8s4claw.api.v1alpha1.CacheSpec;
import io.k8s4claw.api.v1alpha1.Claw;
import io.k8s4claw.api.v1alpha1.ClawChannel;
import io.k8s4claw.api.v1alpha1.ClawSpec;
import io.k8s4claw.api.v1alpha1.IngressSpec;
import io.k8s4claw.api.v1alpha1.NetworkPolicySpec;
import io.k8s4claw.api.v1alpha1.PdbSpec;
import io.k8s4claw.api.v1alpha1.PersistenceSpec;
import io.k8s4claw.api.v1alpha1.SharedVolumeRef;
import io.k8s4claw.api.v1alpha1.VolumeSpec;
import io.k8s4claw.api.validation.FieldError;
import io.k8s4claw.operator.OperatorVersion;
import io.k8s4claw.operator.archive.ArchiveJobs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Computes a Claw's {@link DesiredState}: a pure function of the validated Claw, its ClawChannels (in
 * {@code spec.channels} order), the adapter's {@link PodContribution}, the sidecar images and the hashes of the
 * Secrets the pod reads. No clock, no randomness, no API calls: equal inputs give equal objects, which is what
 * makes a no-op resync write nothing and {@code claw render} print exactly what the operator applies.
 */
public final class DesiredStateBuilder {

    /** Pod template annotation prefix for hashes of rendered config files. */
    public static final String CONFIG_HASH_PREFIX = "config.claw.prismer.ai/";
    /** Pod template annotation prefix for hashes of the Secrets the pod reads. */
    public static final String SECRET_HASH_PREFIX = "secret.claw.prismer.ai/";
    /** Value of a secret hash annotation when the Secret's content is not known (offline render). */
    public static final String UNRESOLVED_HASH = "unresolved";

    /**
     * Size of a claim the runtime mounts persistently while the spec leaves the volume out (k8s4claw: volumes are
     * enabled unless {@code enabled: false}). Set {@code spec.persistence.<volume>.size} to choose.
     */
    public static final Map<VolumeRole, String> DEFAULT_SIZES =
            Map.of(VolumeRole.SESSION, "5Gi", VolumeRole.WORKSPACE, "10Gi", VolumeRole.OUTPUT, "5Gi");

    private final SidecarImages images;

    public DesiredStateBuilder(SidecarImages images) {
        this.images = images;
    }

    /**
     * @param claw          a Claw that passed {@link ClawValidation}
     * @param channels      the ClawChannels of {@code spec.channels}, same order
     * @param adapter       the runtime's adapter
     * @param secretHashes  hash of each referenced Secret's data by name; a missing name renders
     *                      {@link #UNRESOLVED_HASH}
     */
    public DesiredState build(
            Claw claw, List<ClawChannel> channels, RuntimeAdapter adapter, Map<String, String> secretHashes) {
        RenderContext context = RenderContext.of(claw, channels);
        PodContribution pod = adapter.render(context);
        IngressSpec ingressSpec = claw.getSpec().getIngress();
        if (ingressSpec != null
                && Boolean.TRUE.equals(ingressSpec.getEnabled())
                && pod.exposedPorts().isEmpty()) {
            throw new InvalidClawException(List.of(new FieldError(
                    "spec.ingress.enabled",
                    "runtime '"
                            + adapter.runtimeId()
                            + "' exposes no port outside the pod for this Claw (its API is loopback-only, reachable "
                            + "by the"
                            + " in-pod bridge alone), so an Ingress would have nothing to route to; reach the agent "
                            + "through a ClawChannel"
                            + " or disable the ingress")));
        }
        RenderNames names = context.names();
        String name = claw.getMetadata().getName();
        String namespace = claw.getMetadata().getNamespace();
        Map<String, String> labels = ClawLabels.of(claw);
        List<String> warnings = new ArrayList<>();

        List<String> referenced = ReferencedSecrets.of(claw, channels);

        ServiceAccount serviceAccount = new ServiceAccountBuilder()
                .withMetadata(meta(serviceAccountName(claw), namespace, labels, serviceAccountAnnotations(claw)))
                .withAutomountServiceAccountToken(needsApiToken(claw))
                .build();

        Map<String, String> configData = new TreeMap<>();
        pod.nonSecretConfigFiles().forEach(f -> configData.put(f.key(), f.content()));
        ConfigMap configMap = new ConfigMapBuilder()
                .withMetadata(meta(names.configMapName(), namespace, labels, Map.of()))
                .withData(configData)
                .build();

        Optional<Secret> renderedSecret = Optional.empty();
        if (!pod.secretConfigFiles().isEmpty()) {
            Map<String, String> data = new TreeMap<>();
            pod.secretConfigFiles()
                    .forEach(f -> data.put(
                            f.key(),
                            Base64.getEncoder().encodeToString(f.content().getBytes(StandardCharsets.UTF_8))));
            renderedSecret = Optional.of(new SecretBuilder()
                    .withMetadata(meta(names.renderedSecretName(), namespace, labels, Map.of()))
                    .withType("Opaque")
                    .withData(data)
                    .build());
        }

        List<DesiredState.GeneratedSecretPlan> generated = new ArrayList<>();
        for (GeneratedSecret g : pod.generatedSecrets()) {
            generated.add(new DesiredState.GeneratedSecretPlan(
                    names.generatedSecretName(g.nameSuffix()),
                    g.keys().stream()
                            .map(k -> new DesiredState.GeneratedSecretPlan.Key(k.key(), k.randomBytes()))
                            .toList(),
                    g.purpose(),
                    labels));
        }

        StatefulSet statefulSet = statefulSet(
                claw,
                channels,
                pod,
                names,
                labels,
                podAnnotations(
                        pod,
                        ChannelSidecars.podRollingSecrets(claw, channels, referenced, images.channelSidecar()),
                        secretHashes));
        List<ServicePort> servicePorts = servicePorts(pod, channels);
        Service service = new ServiceBuilder()
                .withMetadata(meta(name, namespace, labels, Map.of()))
                .withNewSpec()
                .withClusterIP("None")
                .withSelector(ClawLabels.selector(claw))
                .withPorts(servicePorts)
                .withPublishNotReadyAddresses(false)
                .endSpec()
                .build();

        NetworkPolicySpec np = claw.getSpec().getSecurity() != null
                ? claw.getSpec().getSecurity().getNetworkPolicy()
                : null;
        Optional<NetworkPolicy> networkPolicy = np != null && Boolean.FALSE.equals(np.getEnabled())
                ? Optional.empty()
                : Optional.of(networkPolicy(claw, np, servicePorts, labels));
        if (networkPolicy.isPresent()
                && (np == null
                        || np.getAllowedEgressCIDRs() == null
                        || np.getAllowedEgressCIDRs().isEmpty())) {
            unreachableEndpoints("spec.config", claw.getSpec().getConfig(), warnings);
        }

        Optional<Ingress> ingress = ingress(claw, pod, labels);
        Optional<PodDisruptionBudget> pdb = pdb(claw, labels, warnings);

        return new DesiredState(
                claw,
                serviceAccount,
                configMap,
                renderedSecret,
                generated,
                service,
                statefulSet,
                networkPolicy,
                ingress,
                pdb,
                referenced,
                warnings);
    }

    private static final Pattern URL = Pattern.compile("^(https?|wss?)://([^/:?#]+)(?::(\\d+))?.*$");

    /**
     * URLs in the runtime configuration that the default NetworkPolicy (egress: DNS and TCP 443 only) would
     * block — an in-cluster model server on http://…:8000, say — reported so the user can allow them.
     */
    private static void unreachableEndpoints(String path, JsonNode node, List<String> warnings) {
        if (node == null) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> unreachableEndpoints(path + "." + e.getKey(), e.getValue(), warnings));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                unreachableEndpoints(path + "[" + i + "]", node.get(i), warnings);
            }
        } else if (node.isTextual()) {
            Matcher m = URL.matcher(node.asText());
            if (m.matches()) {
                String scheme = m.group(1);
                int port = m.group(3) != null
                        ? Integer.parseInt(m.group(3))
                        : scheme.equals("https") || scheme.equals("wss") ? 443 : 80;
                String host = m.group(2);
                boolean loopback = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
                if (port != 443 && !loopback) {
                    warnings.add(path + ": " + node.asText() + " uses TCP port " + port
                            + ", which the Claw's NetworkPolicy blocks"
                            + " (egress: DNS and TCP 443 only); add the endpoint's CIDR to "
                            + "spec.security.networkPolicy.allowedEgressCIDRs"
                            + " or set spec.security.networkPolicy.enabled: false");
                }
            }
        }
    }

    /**
     * {@code spec.image.pullSecrets} as the pod's imagePullSecrets (null when unset: no empty list to diff against).
     */
    static List<LocalObjectReference> imagePullSecrets(Claw claw) {
        var image = claw.getSpec().getImage();
        if (image == null
                || image.getPullSecrets() == null
                || image.getPullSecrets().isEmpty()) {
            return null;
        }
        return image.getPullSecrets().stream()
                .map(r -> new LocalObjectReference(r.getName()))
                .toList();
    }

    public static String serviceAccountName(Claw claw) {
        var sa = claw.getSpec().getServiceAccount();
        return sa != null && sa.getName() != null && !sa.getName().isBlank()
                ? sa.getName()
                : claw.getMetadata().getName();
    }

    private static Map<String, String> serviceAccountAnnotations(Claw claw) {
        var sa = claw.getSpec().getServiceAccount();
        return sa != null && sa.getAnnotations() != null ? new TreeMap<>(sa.getAnnotations()) : Map.of();
    }

    /** Only an agent allowed to reconfigure itself talks to the Kubernetes API; nobody else gets a token. */
    private static boolean needsApiToken(Claw claw) {
        return claw.getSpec().getSelfConfigure() != null
                && Boolean.TRUE.equals(claw.getSpec().getSelfConfigure().getEnabled());
    }

    private static ObjectMeta meta(
            String name, String namespace, Map<String, String> labels, Map<String, String> annotations) {
        ObjectMetaBuilder b =
                new ObjectMetaBuilder().withName(name).withNamespace(namespace).withLabels(new LinkedHashMap<>(labels));
        if (!annotations.isEmpty()) {
            b.withAnnotations(new TreeMap<>(annotations));
        }
        return b.build();
    }

    private static Map<String, String> podAnnotations(
            PodContribution pod, List<String> referenced, Map<String, String> secretHashes) {
        Map<String, String> annotations = new TreeMap<>();
        annotations.put(
                "kubectl.kubernetes.io/default-container",
                pod.runtimeContainer().getName());
        Set<String> used = new TreeSet<>();
        for (ConfigFile f : pod.configFiles()) {
            annotations.put(CONFIG_HASH_PREFIX + annotationName(f.key(), used), Hashes.ofString(f.content()));
        }
        for (String secret : referenced) {
            annotations.put(
                    SECRET_HASH_PREFIX + annotationName(secret, used),
                    secretHashes.getOrDefault(secret, UNRESOLVED_HASH));
        }
        return annotations;
    }

    /** A valid annotation name part (≤ 63, alphanumeric at both ends) for a file key or Secret name. */
    static String annotationName(String raw, Set<String> used) {
        String s = raw.replaceAll("^[^A-Za-z0-9]+", "")
                .replaceAll("[^A-Za-z0-9]+$", "")
                .replaceAll("[^-A-Za-z0-9_.]", "-");
        if (s.isEmpty() || s.length() > 63 || !used.add(s)) {
            s = "h-" + Hashes.ofString(raw).substring("sha256:".length(), "sha256:".length() + 16);
            used.add(s);
        }
        return s;
    }

    private StatefulSet statefulSet(
            Claw claw,
            List<ClawChannel> channels,
            PodContribution pod,
            RenderNames names,
            Map<String, String> labels,
            Map<String, String> podAnnotations) {
        ClawSpec spec = claw.getSpec();
        String name = claw.getMetadata().getName();
        PersistenceSpec persistence = spec.getPersistence();

        List<PersistentVolumeClaim> claims = new ArrayList<>();
        Map<VolumeRole, String> restores = new EnumMap<>(VolumeRole.class);
        Set<String> claimNames = new TreeSet<>();
        for (VolumeRole role : VolumeRole.values()) {
            VolumeSpec volume = volumeSpec(persistence, role);
            boolean runtimeNeedsClaim = pod.dataMounts().stream().anyMatch(m -> m.role() == role && m.persistent());
            if (!runtimeNeedsClaim && !enabled(volume)) {
                continue;
            }
            String volumeName = names.volumeName(role);
            claimNames.add(volumeName);
            String size = volume != null && volume.getSize() != null ? volume.getSize() : DEFAULT_SIZES.get(role);
            PersistentVolumeClaimBuilder pvc = new PersistentVolumeClaimBuilder()
                    .withNewMetadata()
                    .withName(volumeName)
                    .withLabels(new LinkedHashMap<>(ClawLabels.selector(claw)))
                    .endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withNewResources()
                    .addToRequests("storage", new Quantity(size))
                    .endResources()
                    .endSpec();
            if (volume != null
                    && volume.getStorageClass() != null
                    && !volume.getStorageClass().isBlank()) {
                pvc.editSpec().withStorageClassName(volume.getStorageClass()).endSpec();
            }
            if (volume != null
                    && volume.getRestoreFrom() != null
                    && volume.getRestoreFrom().getSnapshot() != null) {
                // restoreFrom.snapshot: the CSI driver provisions the claim from the VolumeSnapshot.
                pvc.editSpec()
                        .withNewDataSource()
                        .withApiGroup("snapshot.storage.k8s.io")
                        .withKind("VolumeSnapshot")
                        .withName(volume.getRestoreFrom().getSnapshot())
                        .endDataSource()
                        .endSpec();
            }
            if (volume != null
                    && volume.getRestoreFrom() != null
                    && volume.getRestoreFrom().getArchiveKey() != null) {
                restores.put(role, volumeName);
            }
            claims.add(pvc.build());
        }

        List<Volume> volumes = new ArrayList<>(pod.volumes());
        Container runtime = pod.runtimeContainer();
        List<VolumeMount> extraMounts = new ArrayList<>();
        if (persistence != null && persistence.getShared() != null) {
            for (SharedVolumeRef shared : persistence.getShared()) {
                volumes.add(new VolumeBuilder()
                        .withName(shared.getName())
                        .withNewPersistentVolumeClaim()
                        .withClaimName(shared.getClaimName())
                        .withReadOnly(Boolean.TRUE.equals(shared.getReadOnly()))
                        .endPersistentVolumeClaim()
                        .build());
                extraMounts.add(new VolumeMountBuilder()
                        .withName(shared.getName())
                        .withMountPath(shared.getMountPath())
                        .withReadOnly(Boolean.TRUE.equals(shared.getReadOnly()))
                        .build());
            }
        }
        CacheSpec cache = persistence != null ? persistence.getCache() : null;
        if (cache != null && !Boolean.FALSE.equals(cache.getEnabled())) {
            String medium = cache.getMedium() == null ? "Memory" : cache.getMedium();
            volumes.add(new VolumeBuilder()
                    .withName("cache")
                    .withNewEmptyDir()
                    .withMedium(medium.isEmpty() ? null : medium)
                    .withSizeLimit(cache.getSize() == null ? null : new Quantity(cache.getSize()))
                    .endEmptyDir()
                    .build());
            extraMounts.add(new VolumeMountBuilder()
                    .withName("cache")
                    .withMountPath(cache.getMountPath())
                    .build());
        }
        if (!extraMounts.isEmpty()) {
            Set<String> mounted = new TreeSet<>();
            runtime.getVolumeMounts().forEach(m -> mounted.add(m.getMountPath()));
            ContainerBuilder rb = new ContainerBuilder(runtime);
            extraMounts.stream()
                    .filter(m -> !mounted.contains(m.getMountPath()))
                    .forEach(rb::addToVolumeMounts);
            runtime = rb.build();
        }

        List<Container> initContainers = new ArrayList<>();
        // restoreFrom.archiveKey: the archive is unpacked before any other init step writes into the volume.
        restores.forEach((role, volumeName) -> initContainers.add(ArchiveJobs.restoreContainer(
                role,
                volumeName,
                volumeSpec(persistence, role).getRestoreFrom().getArchiveKey(),
                persistence.getOutput().getArchive().getDestination(),
                OperatorVersion.current().operatorImage(),
                runAsUser(pod))));
        initContainers.addAll(pod.initContainers());
        PodSecurityContext securityContext = pod.podSecurityContext();
        if (!channels.isEmpty()) {
            String sessionVolume = names.volumeName(VolumeRole.SESSION);
            boolean sessionExists = claimNames.contains(sessionVolume)
                    || volumes.stream().anyMatch(v -> v.getName().equals(sessionVolume));
            String bridgeData = sessionVolume;
            if (!sessionExists) {
                // No session volume at all: the WAL lives for the pod's lifetime only (documented trade-off).
                bridgeData = "claw-bridge-data";
                volumes.add(new VolumeBuilder()
                        .withName(bridgeData)
                        .withNewEmptyDir()
                        .endEmptyDir()
                        .build());
            }
            String bridgeImage = spec.getBridge() != null
                            && spec.getBridge().getImage() != null
                            && !spec.getBridge().getImage().isBlank()
                    ? spec.getBridge().getImage()
                    : images.bridge();
            initContainers.add(BridgeContainer.build(claw, channels, pod.bridgeTarget(), bridgeImage, bridgeData));
            // one sidecar per channel, or the shared channel container for two or more built-in channels
            initContainers.addAll(ChannelSidecars.containers(channels, spec.getChannels(), images.channelSidecar()));
            volumes.addAll(ChannelSidecars.volumes(channels, images.channelSidecar()));
            volumes.add(new VolumeBuilder()
                    .withName(BridgeContainer.BUS_VOLUME)
                    .withNewEmptyDir()
                    .withSizeLimit(new Quantity("1Mi"))
                    .endEmptyDir()
                    .build());
            volumes.add(new VolumeBuilder()
                    .withName(BridgeContainer.TMP_VOLUME)
                    .withNewEmptyDir()
                    .withSizeLimit(new Quantity("256Mi"))
                    .endEmptyDir()
                    .build());
            if (securityContext.getFsGroup() == null) {
                // The bridge runs as 65532 and writes its WAL on the session volume: make the volume group-writable for
                // it.
                securityContext = new PodSecurityContextBuilder(securityContext)
                        .withFsGroup(BridgeContainer.SIDECAR_UID)
                        .withFsGroupChangePolicy("OnRootMismatch")
                        .build();
            }
        }

        long grace = spec.getTerminationGracePeriodSeconds() != null
                ? spec.getTerminationGracePeriodSeconds()
                : pod.terminationGracePeriodSeconds();
        // Set, not passed through the builder: withContainers/withVolumes copy every object twice (a builder per
        // element, then build), a visible share of the operator's CPU when it renders a thousand Claws.
        PodSpec podSpec = new PodSpec();
        podSpec.setServiceAccountName(serviceAccountName(claw));
        podSpec.setImagePullSecrets(imagePullSecrets(claw));
        podSpec.setRuntimeClassName(
                spec.getSecurity() == null ? null : spec.getSecurity().getRuntimeClassName());
        podSpec.setAutomountServiceAccountToken(needsApiToken(claw));
        podSpec.setEnableServiceLinks(false);
        podSpec.setSecurityContext(securityContext);
        podSpec.setTerminationGracePeriodSeconds(grace);
        podSpec.setInitContainers(initContainers);
        podSpec.setContainers(new ArrayList<>(List.of(runtime)));
        podSpec.setVolumes(volumes);
        StatefulSet statefulSet = new StatefulSetBuilder()
                .withMetadata(meta(name, claw.getMetadata().getNamespace(), labels, Map.of()))
                .withNewSpec()
                // spec.suspended: zero replicas; the claims (volumeClaimTemplates) and every Secret stay, so resuming
                // brings back the same volumes, the bridge's log on the session claim included.
                .withReplicas(spec.suspendedRequested() ? 0 : 1)
                .withServiceName(name)
                .withPodManagementPolicy("OrderedReady")
                .withNewUpdateStrategy()
                .withType("RollingUpdate")
                .endUpdateStrategy()
                .withNewSelector()
                .withMatchLabels(new LinkedHashMap<>(ClawLabels.selector(claw)))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(ClawLabels.pod(claw, labels))
                .withAnnotations(podAnnotations)
                .endMetadata()
                .endTemplate()
                .withVolumeClaimTemplates(claims)
                .endSpec()
                .build();
        statefulSet.getSpec().getTemplate().setSpec(podSpec);
        return statefulSet;
    }

    /** The runtime's user, which restored files should belong to. */
    private static Long runAsUser(PodContribution pod) {
        var c = pod.runtimeContainer().getSecurityContext();
        if (c != null && c.getRunAsUser() != null) {
            return c.getRunAsUser();
        }
        return pod.podSecurityContext() == null
                ? null
                : pod.podSecurityContext().getRunAsUser();
    }

    static VolumeSpec volumeSpec(PersistenceSpec persistence, VolumeRole role) {
        if (persistence == null) {
            return null;
        }
        return switch (role) {
            case SESSION -> persistence.getSession();
            case WORKSPACE -> persistence.getWorkspace();
            case OUTPUT -> persistence.getOutput();
        };
    }

    static boolean enabled(VolumeSpec volume) {
        return volume != null && !Boolean.FALSE.equals(volume.getEnabled()) && volume.getSize() != null;
    }

    private static List<ServicePort> servicePorts(PodContribution pod, List<ClawChannel> channels) {
        List<ServicePort> ports = new ArrayList<>();
        for (RuntimePort p : pod.exposedPorts()) {
            ports.add(new ServicePortBuilder()
                    .withName(p.name())
                    .withPort(p.port())
                    .withTargetPort(new IntOrString(p.name()))
                    .withProtocol("TCP")
                    .build());
        }
        for (int i = 0; i < channels.size(); i++) {
            if (ChannelSidecars.receivesHttp(channels.get(i))) {
                String portName = ChannelSidecars.portName(i);
                ports.add(new ServicePortBuilder()
                        .withName(portName)
                        .withPort(ChannelSidecars.port(i))
                        .withTargetPort(new IntOrString(portName))
                        .withProtocol("TCP")
                        .build());
            }
        }
        return ports;
    }

    private static NetworkPolicy networkPolicy(
            Claw claw, NetworkPolicySpec spec, List<ServicePort> exposed, Map<String, String> labels) {
        List<NetworkPolicyEgressRule> egress = new ArrayList<>();
        egress.add(new NetworkPolicyEgressRuleBuilder()
                .withPorts(npPort("UDP", 53), npPort("TCP", 53))
                .build());
        egress.add(new NetworkPolicyEgressRuleBuilder()
                // A self-configuring agent talks to the API server, whose endpoints listen on 6443 in most clusters
                // (a NetworkPolicy sees the endpoint's port, not the kubernetes Service's 443).
                .withPorts(
                        needsApiToken(claw)
                                ? List.of(npPort("TCP", 443), npPort("TCP", 6443))
                                : List.of(npPort("TCP", 443)))
                .build());
        if (spec != null
                && spec.getAllowedEgressCIDRs() != null
                && !spec.getAllowedEgressCIDRs().isEmpty()) {
            egress.add(new NetworkPolicyEgressRuleBuilder()
                    .withTo(spec.getAllowedEgressCIDRs().stream()
                            .map(cidr -> new NetworkPolicyPeerBuilder()
                                    .withNewIpBlock()
                                    .withCidr(cidr)
                                    .endIpBlock()
                                    .build())
                            .toList())
                    .build());
        }
        List<NetworkPolicyIngressRule> ingress = new ArrayList<>();
        if (!exposed.isEmpty()) {
            NetworkPolicyIngressRuleBuilder rule = new NetworkPolicyIngressRuleBuilder()
                    .withPorts(exposed.stream()
                            .map(p -> npPort("TCP", p.getPort()))
                            .toList());
            if (spec != null
                    && spec.getAllowedIngressNamespaces() != null
                    && !spec.getAllowedIngressNamespaces().isEmpty()) {
                List<NetworkPolicyPeer> from = spec.getAllowedIngressNamespaces().stream()
                        .map(ns -> new NetworkPolicyPeerBuilder()
                                .withNewNamespaceSelector()
                                .addToMatchLabels("kubernetes.io/metadata.name", ns)
                                .endNamespaceSelector()
                                .build())
                        .toList();
                rule.withFrom(from);
            }
            ingress.add(rule.build());
        }
        return new NetworkPolicyBuilder()
                .withMetadata(
                        meta(claw.getMetadata().getName(), claw.getMetadata().getNamespace(), labels, Map.of()))
                .withNewSpec()
                .withNewPodSelector()
                .withMatchLabels(new LinkedHashMap<>(ClawLabels.selector(claw)))
                .endPodSelector()
                .withPolicyTypes("Ingress", "Egress")
                .withIngress(ingress)
                .withEgress(egress)
                .endSpec()
                .build();
    }

    private static NetworkPolicyPort npPort(String protocol, int port) {
        return new NetworkPolicyPortBuilder()
                .withProtocol(protocol)
                .withPort(new IntOrString(port))
                .build();
    }

    private static Optional<Ingress> ingress(Claw claw, PodContribution pod, Map<String, String> labels) {
        IngressSpec spec = claw.getSpec().getIngress();
        if (spec == null || !Boolean.TRUE.equals(spec.getEnabled())) {
            return Optional.empty();
        }
        // build() rejects an Ingress for a pod that exposes nothing, so a port is there.
        RuntimePort port = pod.exposedPorts().get(0);
        Map<String, String> annotations = new TreeMap<>();
        if (spec.getAnnotations() != null) {
            annotations.putAll(spec.getAnnotations());
        }
        if (spec.getBasicAuth() != null
                && Boolean.TRUE.equals(spec.getBasicAuth().getEnabled())) {
            annotations.put("nginx.ingress.kubernetes.io/auth-type", "basic");
            annotations.put(
                    "nginx.ingress.kubernetes.io/auth-secret",
                    spec.getBasicAuth().getSecretName());
            annotations.put("nginx.ingress.kubernetes.io/auth-realm", "Authentication required");
        }
        String name = claw.getMetadata().getName();
        IngressBuilder b = new IngressBuilder()
                .withMetadata(meta(name, claw.getMetadata().getNamespace(), labels, annotations))
                .withNewSpec()
                .withIngressClassName(spec.getClassName())
                .addNewRule()
                .withHost(spec.getHost())
                .withNewHttp()
                .addNewPath()
                .withPath("/")
                .withPathType("Prefix")
                .withNewBackend()
                .withNewService()
                .withName(name)
                .withNewPort()
                .withName(port.name())
                .endPort()
                .endService()
                .endBackend()
                .endPath()
                .endHttp()
                .endRule()
                .endSpec();
        if (spec.getTls() != null && spec.getTls().getSecretName() != null) {
            b.editSpec()
                    .addNewTl()
                    .withHosts(spec.getHost())
                    .withSecretName(spec.getTls().getSecretName())
                    .endTl()
                    .endSpec();
        }
        return Optional.of(b.build());
    }

    /**
     * A Claw has one replica, so any {@code minAvailable ≥ 1} would block every node drain (k8s4claw's mistake).
     * The budget the operator creates allows the one voluntary disruption; a larger minAvailable is reported.
     */
    private static Optional<PodDisruptionBudget> pdb(Claw claw, Map<String, String> labels, List<String> warnings) {
        var availability = claw.getSpec().getAvailability();
        PdbSpec pdb = availability != null ? availability.getPdb() : null;
        if (pdb == null || Boolean.FALSE.equals(pdb.getEnabled())) {
            return Optional.empty();
        }
        if (pdb.getMinAvailable() != null && pdb.getMinAvailable() >= 1) {
            warnings.add("spec.availability.pdb.minAvailable: " + pdb.getMinAvailable()
                    + " on a single-replica Claw would block every"
                    + " node drain; the PodDisruptionBudget uses maxUnavailable: 1 instead (set "
                    + "minAvailable: 0 to silence this)");
        }
        return Optional.of(new PodDisruptionBudgetBuilder()
                .withMetadata(
                        meta(claw.getMetadata().getName(), claw.getMetadata().getNamespace(), labels, Map.of()))
                .withNewSpec()
                .withMaxUnavailable(new IntOrString(1))
                .withNewSelector()
                .withMatchLabels(new LinkedHashMap<>(ClawLabels.selector(claw)))
                .endSelector()
                .endSpec()
                .build());
    }
}
